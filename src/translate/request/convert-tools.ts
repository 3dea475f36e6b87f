/**
 * Responses tool definitions → Chat Completions function tools. Pure.
 * Custom (freeform) tools become a function with one required string
 * parameter; namespace tools are flattened; tool_search is a plain function.
 */
import type { ChatFunctionTool, ChatToolChoice } from '../chat-types.js';
import type { TranslationNote } from '../notes.js';
import { ToolNameMap, type ToolTarget } from '../tool-names.js';
import type { CustomTool, FunctionTool, ToolChoice, ToolDefinition } from './responses-schema.js';

/** The parameter that carries a custom tool's raw text input. */
export const CUSTOM_TOOL_INPUT_FIELD = 'input';

const EMPTY_PARAMETERS: Record<string, unknown> = { type: 'object', properties: {} };

const DEFAULT_TOOL_SEARCH_PARAMETERS: Record<string, unknown> = {
  type: 'object',
  properties: {
    query: { type: 'string', description: 'Search query for tools.' },
    limit: { type: 'number', description: 'Maximum number of tools to return.' },
  },
  required: ['query'],
};

export interface ConvertedTools {
  tools: ChatFunctionTool[];
  names: ToolNameMap;
}

/** Converts every tool (request tools first, then tools discovered in history). */
export function convertTools(definitions: readonly ToolDefinition[]): ConvertedTools {
  const names = new ToolNameMap();
  const tools: ChatFunctionTool[] = [];
  const add = (target: ToolTarget, tool: Omit<ChatFunctionTool['function'], 'name'>) => {
    const before = names.size;
    const name = names.register(target);
    if (names.size === before) return; // the same tool listed twice
    tools.push({ type: 'function', function: { name, ...tool } });
  };

  for (const definition of definitions) {
    switch (definition.type) {
      case 'function':
        add({ kind: 'function', name: definition.name, ...plaintextMarker(definition) }, functionBody(definition));
        break;
      case 'custom':
        add({ kind: 'custom', name: definition.name }, customBody(definition));
        break;
      case 'namespace':
        for (const inner of definition.tools) {
          const target: ToolTarget =
            inner.type === 'custom'
              ? { kind: 'custom', name: inner.name, namespace: definition.name }
              : { kind: 'function', name: inner.name, namespace: definition.name, ...plaintextMarker(inner) };
          const body = inner.type === 'custom' ? customBody(inner) : functionBody(inner);
          if (definition.description) {
            body.description = `${definition.name}: ${definition.description}\n\n${body.description ?? ''}`.trimEnd();
          }
          add(target, body);
        }
        break;
      case 'tool_search':
        add(
          { kind: 'tool_search', name: 'tool_search' },
          {
            description: definition.description ?? 'Search for more tools to use.',
            parameters: definition.parameters ?? DEFAULT_TOOL_SEARCH_PARAMETERS,
          },
        );
        break;
      default: {
        const exhaustive: never = definition;
        throw new Error(`unhandled tool ${JSON.stringify(exhaustive)}`);
      }
    }
  }
  return { tools, names };
}

function functionBody(tool: FunctionTool): Omit<ChatFunctionTool['function'], 'name'> {
  const body: Omit<ChatFunctionTool['function'], 'name'> = {
    parameters: withoutEncryptedMarkers(tool.parameters ?? EMPTY_PARAMETERS),
  };
  if (tool.description) body.description = tool.description;
  if (tool.strict === true) body.strict = true;
  return body;
}

/** The `encrypted: true` markers on a tool's top-level parameters (Codex multi-agent v2). */
function encryptedParameterNames(parameters: Record<string, unknown> | null | undefined): string[] {
  const properties = parameters?.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) return [];
  return Object.entries(properties as Record<string, unknown>)
    .filter(
      ([, schema]) =>
        schema !== null && typeof schema === 'object' && (schema as { encrypted?: unknown }).encrypted === true,
    )
    .map(([name]) => name);
}

function plaintextMarker(tool: FunctionTool): Pick<ToolTarget, 'plaintextArguments'> {
  return encryptedParameterNames(tool.parameters).length > 0 ? { plaintextArguments: true } : {};
}

/** The schema without `encrypted` markers: not JSON Schema, and strict upstreams refuse unknown keywords. */
function withoutEncryptedMarkers(parameters: Record<string, unknown>): Record<string, unknown> {
  const marked = encryptedParameterNames(parameters);
  if (marked.length === 0) return parameters;
  const properties = { ...(parameters.properties as Record<string, Record<string, unknown>>) };
  for (const name of marked) {
    const { encrypted: _marker, ...schema } = properties[name]!;
    properties[name] = schema;
  }
  return { ...parameters, properties };
}

function customBody(tool: CustomTool): Omit<ChatFunctionTool['function'], 'name'> {
  const format = tool.format;
  // The tool's own description may say "do not wrap the input in JSON"; over Chat
  // Completions the arguments object is the one wrapper, so say exactly what goes where.
  let formatText = `\n\nWhen calling this tool, put the complete raw text in the \`${CUSTOM_TOOL_INPUT_FIELD}\` string argument; the arguments object is the only JSON involved.`;
  if (format?.type === 'grammar' && format.definition) {
    formatText += ` The text must follow this ${format.syntax ?? ''} grammar exactly:\n${format.definition}`;
  }
  return {
    description: `${tool.description ?? ''}${formatText}`.trim(),
    parameters: {
      type: 'object',
      properties: { [CUSTOM_TOOL_INPUT_FIELD]: { type: 'string', description: 'The raw input for this tool.' } },
      required: [CUSTOM_TOOL_INPUT_FIELD],
      additionalProperties: false,
    },
  };
}

/** Maps `tool_choice`, narrowing the tool list for `allowed_tools`. */
export function convertToolChoice(
  choice: ToolChoice | null | undefined,
  converted: ConvertedTools,
  notes: TranslationNote[],
): { toolChoice: ChatToolChoice | undefined; tools: ChatFunctionTool[] } {
  let tools = converted.tools;
  if (choice === null || choice === undefined) return { toolChoice: undefined, tools };
  if (typeof choice === 'string') return { toolChoice: choice, tools };
  switch (choice.type) {
    case 'function':
    case 'custom': {
      const named = choice as { name: string; namespace?: string | null };
      const target: ToolTarget = {
        kind: choice.type === 'custom' ? 'custom' : 'function',
        name: named.name,
        ...(named.namespace ? { namespace: named.namespace } : {}),
      };
      const name = converted.names.upstreamNameFor(target);
      if (!converted.names.has(name)) {
        notes.push({
          level: 'warn',
          message: `tool_choice names '${named.name}', which is not in the tool list; using 'auto'`,
        });
        return { toolChoice: 'auto', tools };
      }
      return { toolChoice: { type: 'function', function: { name } }, tools };
    }
    case 'allowed_tools': {
      const allowed = choice as {
        mode?: 'auto' | 'required' | null;
        tools: Array<{ type: string; name?: string | null; namespace?: string | null }>;
      };
      const allowedNames = new Set(
        allowed.tools
          .filter((tool) => typeof tool.name === 'string')
          .map((tool) =>
            converted.names.upstreamNameFor({
              kind: tool.type === 'custom' ? 'custom' : 'function',
              name: tool.name as string,
              ...(tool.namespace ? { namespace: tool.namespace } : {}),
            }),
          ),
      );
      tools = tools.filter((tool) => allowedNames.has(tool.function.name));
      return { toolChoice: allowed.mode ?? 'auto', tools };
    }
    default:
      notes.push({
        level: 'debug',
        message: `tool_choice of type '${choice.type}' has no Chat equivalent; using 'auto'`,
      });
      return { toolChoice: 'auto', tools };
  }
}
