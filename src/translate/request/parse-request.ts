/**
 * Validates a raw Responses API request body into a typed request. Pure.
 * Bad input throws a 400 RelayError naming the parameter; unknown item and
 * tool types are skipped with a note instead of failing the turn.
 */
import type { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import type { TranslationNote } from '../notes.js';
import {
  HOSTED_TOOL_TYPES,
  type InputItem,
  itemSchemas,
  type ResponsesRequest,
  responsesRequestSchema,
  type ToolDefinition,
  toolSchemas,
} from './responses-schema.js';

export interface ParsedRequest {
  request: ResponsesRequest;
  notes: TranslationNote[];
  /** How many leading `request.input` items came from an `instructions` array (never stored with a response). */
  instructionItems: number;
  /** The input ended with `compaction_trigger`: the answer is one `compaction` item. */
  compactionRequested: boolean;
}

/**
 * The `input` items of an earlier request and their readings, index for
 * index, for a request that resends them (the same raw objects: a
 * conversation resent with new items, request-prefix); and where this
 * request's readings go. A reading does not depend on where the item stands;
 * its notes do and are made again.
 */
export interface ItemReadings {
  earlierItems: readonly unknown[];
  earlierReadings: readonly ItemReading[];
  /** Filled with this request's `input` readings, index for index. */
  readings: ItemReading[];
}

/**
 * Parses and validates a Responses request body. With `readings`, an input
 * item read before is not validated again, and every input item's reading is
 * recorded.
 */
export function parseResponsesRequest(body: unknown, readings?: ItemReadings): ParsedRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  const result = responsesRequestSchema.safeParse(body);
  if (!result.success) throw zodErrorToRelayError(result.error, [], body);
  const raw = result.data;
  const notes: TranslationNote[] = [];

  const input: InputItem[] = [];
  let instructions: string | null = null;
  if (typeof raw.instructions === 'string') {
    instructions = raw.instructions;
  } else if (Array.isArray(raw.instructions)) {
    raw.instructions.forEach((item, index) => pushItem(input, item, `instructions[${index}]`, notes));
  }
  const instructionItems = input.length;
  if (typeof raw.input === 'string') {
    input.push({ type: 'message', role: 'user', content: raw.input });
  } else if (Array.isArray(raw.input)) {
    raw.input.forEach((item, index) => {
      const path = `input[${index}]`;
      pushItem(input, item, path, notes, readings && rememberedReading(item, index, path, readings));
    });
  }
  const last: unknown = Array.isArray(raw.input) ? raw.input[raw.input.length - 1] : undefined;
  const compactionRequested =
    last !== null && typeof last === 'object' && (last as { type?: unknown }).type === 'compaction_trigger';

  const tools = parseTools(raw.tools ?? [], 'tools', notes);
  const request: ResponsesRequest = {
    model: raw.model,
    input,
    tools,
    instructions,
    tool_choice: raw.tool_choice,
    parallel_tool_calls: raw.parallel_tool_calls,
    reasoning: raw.reasoning,
    max_output_tokens: raw.max_output_tokens,
    temperature: raw.temperature,
    top_p: raw.top_p,
    text: raw.text,
    stream: raw.stream,
    store: raw.store,
    previous_response_id: raw.previous_response_id,
    metadata: raw.metadata,
    user: raw.user,
    prompt_cache_key: raw.prompt_cache_key,
    service_tier: raw.service_tier,
    truncation: raw.truncation,
  };
  return { request, notes, instructionItems, compactionRequested };
}

/** Validates one input item (unless it was read already) and appends it, or notes why it was skipped. */
function pushItem(
  target: InputItem[],
  raw: unknown,
  path: string,
  notes: TranslationNote[],
  reading: ItemReading = readInputItem(raw, path),
): void {
  if ('item' in reading) {
    target.push(reading.item);
  } else if (IGNORED_ITEM_TYPES.has(reading.skippedType)) {
    notes.push({ level: 'debug', message: `skipped input item of type '${reading.skippedType}' at ${path}` });
  } else {
    notes.push({ level: 'warn', message: `skipped input item of unknown type '${reading.skippedType}' at ${path}` });
  }
}

/** The earlier reading of the item at `index` if it is the same object, else a new one; recorded either way. */
function rememberedReading(raw: unknown, index: number, path: string, readings: ItemReadings): ItemReading {
  const reading =
    index < readings.earlierItems.length && raw === readings.earlierItems[index] && typeof raw === 'object'
      ? readings.earlierReadings[index]!
      : readInputItem(raw, path);
  readings.readings.push(reading);
  return reading;
}

/** One item read: the validated item, or the type of one the relay does not translate. */
export type ItemReading = { item: InputItem } | { skippedType: string };

/**
 * Validates one item, from a request or read back from the session store.
 * Throws a 400 naming `path` when it does not parse.
 */
export function readInputItem(raw: unknown, path: string): ItemReading {
  const item = requireObject(raw, path);
  const type = item.type === undefined && 'role' in item ? 'message' : item.type;
  if (typeof type !== 'string') {
    throw invalidRequest(`Missing required parameter: '${path}.type'.`, `${path}.type`);
  }
  const schema = (itemSchemas as Record<string, z.ZodType>)[type];
  if (schema === undefined) return { skippedType: type };
  const parsed = schema.safeParse(item);
  if (!parsed.success) throw zodErrorToRelayError(parsed.error, [path], item);
  const value = parsed.data as InputItem;
  if (type === 'message') (value as { type?: string }).type = 'message';
  // One name for both spellings of the item; it is expanded before translation (compaction-input.ts).
  if (type === 'compaction_summary') (value as { type?: string }).type = 'compaction';
  return { item: value };
}

/** Items that carry nothing a Chat upstream can use. */
const IGNORED_ITEM_TYPES = new Set(['compaction_trigger', 'item_reference']);

/** Validates the tool list; hosted and unknown tool types are dropped with a note. */
export function parseTools(rawTools: readonly unknown[], path: string, notes: TranslationNote[]): ToolDefinition[] {
  const tools: ToolDefinition[] = [];
  rawTools.forEach((value, index) => {
    const toolPath = `${path}[${index}]`;
    const tool = requireObject(value, toolPath);
    const type = tool.type;
    if (typeof type !== 'string')
      throw invalidRequest(`Missing required parameter: '${toolPath}.type'.`, `${toolPath}.type`);
    const schema = (toolSchemas as Record<string, z.ZodType>)[type];
    if (schema === undefined) {
      if (HOSTED_TOOL_TYPES.has(type)) {
        notes.push({ level: 'debug', message: `dropped hosted tool '${type}' the upstream cannot run` });
      } else {
        notes.push({ level: 'warn', message: `dropped tool of unknown type '${type}' at ${toolPath}` });
      }
      return;
    }
    const parsed = schema.safeParse(tool);
    if (!parsed.success) throw zodErrorToRelayError(parsed.error, [toolPath], tool);
    tools.push(parsed.data as ToolDefinition);
  });
  return tools;
}

/** An item or tool must be a JSON object. */
function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw invalidRequest(
    `Invalid type for '${path}': expected an object, but got ${describeValue(value)} instead.`,
    path,
    'invalid_type',
  );
}

type Issue = z.core.$ZodIssue;

/** Turns the most specific zod issue into an OpenAI-style 400. */
export function zodErrorToRelayError(error: z.ZodError, prefix: string[], root: unknown) {
  const issue = deepestIssue(error.issues);
  const path = formatPath(prefix, issue.path);
  const value = valueAt(root, issue.path);
  if (issue.code === 'invalid_type' && value === undefined) {
    return invalidRequest(`Missing required parameter: '${path}'.`, path, 'missing_required_parameter');
  }
  if (issue.code === 'invalid_type') {
    return invalidRequest(
      `Invalid type for '${path}': expected ${describeExpected(issue.expected)}, but got ${describeValue(value)} instead.`,
      path,
      'invalid_type',
    );
  }
  if (issue.code === 'custom' && typeof issue.params?.expected === 'string') {
    if (value === undefined)
      return invalidRequest(`Missing required parameter: '${path}'.`, path, 'missing_required_parameter');
    return invalidRequest(
      `Invalid type for '${path}': expected ${describeExpected(issue.params.expected)}, but got ${describeValue(value)} instead.`,
      path,
      'invalid_type',
    );
  }
  if (issue.code === 'invalid_union') {
    // Every alternative failed on the value itself: list what each would have taken.
    const expected = issue.errors
      .map((branch) => branch.find((inner) => inner.path.length === 0 && inner.code === 'invalid_type'))
      .filter((inner): inner is Issue & { code: 'invalid_type' } => inner !== undefined)
      .map((inner) => describeExpected(inner.expected));
    if (expected.length > 0) {
      return invalidRequest(
        `Invalid type for '${path}': expected ${[...new Set(expected)].join(' or ')}, but got ${describeValue(value)} instead.`,
        path,
        'invalid_type',
      );
    }
  }
  if (issue.code === 'invalid_value') {
    const options = issue.values.map((option) => JSON.stringify(option)).join(', ');
    return invalidRequest(`Invalid value for '${path}': expected one of ${options}.`, path, 'invalid_value');
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    return invalidRequest(
      `Invalid value for '${path}': ${issue.message.replace(/^Too (small|big): /, '')}.`,
      path,
      'invalid_value',
    );
  }
  return invalidRequest(`Invalid value for '${path}'.`, path, 'invalid_value');
}

/** In a union the branch that got furthest names the real problem. */
function deepestIssue(issues: readonly Issue[]): Issue {
  let best: Issue | undefined;
  let bestDepth = -1;
  for (const issue of issues) {
    let candidate: Issue = issue;
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const nested = issue.errors.map((branch) => deepestIssue(branch));
      const deepest = nested.reduce((a, b) => (b.path.length > a.path.length ? b : a));
      candidate = deepest.path.length > 0 ? { ...deepest, path: [...issue.path, ...deepest.path] } : issue;
    }
    if (candidate.path.length > bestDepth) {
      best = candidate;
      bestDepth = candidate.path.length;
    }
  }
  return (best ?? issues[0]) as Issue;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function formatPath(prefix: string[], path: readonly PropertyKey[]): string {
  let text = prefix.join('.');
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'an integer';
    case 'boolean':
      return 'a boolean';
    case 'array':
      return 'an array';
    case 'object':
    case 'record':
      return 'an object';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
