/**
 * An Anthropic Messages request → the relay's Responses request. Pure.
 *
 * Anthropic messages become Responses input items, so the one request
 * translator (build-chat-request.ts) turns them into Chat Completions with
 * every provider hook: a `thinking` block is a reasoning item (its text is the
 * provider's reasoning, its signature the relay's envelope), `tool_use` a
 * function call, `tool_result` a function call output. Fields with no Chat
 * equivalent (metadata, context_management, cache_control) are ignored.
 */
import { invalidRequest } from '../../errors.js';
import type { TranslationNote } from '../notes.js';
import { zodErrorToRelayError } from '../request/parse-request.js';
import type {
  ContentPart,
  FunctionTool,
  InputItem,
  ReasoningEffort,
  ResponsesRequest,
} from '../request/responses-schema.js';
import {
  type AnthropicContentBlock,
  type AnthropicMessage,
  type AnthropicTool,
  type AnthropicToolChoice,
  imageBlockSchema,
  type MessagesRequest,
  messagesRequestSchema,
  redactedThinkingBlockSchema,
  textBlockSchema,
  thinkingBlockSchema,
  toolResultBlockSchema,
  toolUseBlockSchema,
} from './messages-schema.js';

export interface ParsedMessagesRequest {
  request: ResponsesRequest;
  /** `stop_sequences`, sent as Chat `stop` where the provider takes it. */
  stopSequences: string[];
  notes: TranslationNote[];
}

/**
 * Claude Code starts its system prompt with a billing line whose hash changes
 * with every request; sent upstream it would defeat the provider's prompt cache.
 */
const BILLING_HEADER_PREFIX = 'x-anthropic-billing-header:';

/** Parses and validates a Messages request body. */
export function parseMessagesRequest(body: unknown): ParsedMessagesRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalidRequest('The request body must be a JSON object.');
  const result = messagesRequestSchema.safeParse(body);
  if (!result.success) throw zodErrorToRelayError(result.error, [], body);
  const raw = result.data;
  const notes: TranslationNote[] = [];

  const input: InputItem[] = [];
  raw.messages.forEach((message, index) => input.push(...convertMessage(message, `messages[${index}]`, notes)));
  const { tools, parallel, toolChoice } = convertToolsAndChoice(raw.tools ?? [], raw.tool_choice ?? undefined, notes);
  const effort = reasoningEffort(raw);

  const request: ResponsesRequest = {
    model: raw.model,
    input,
    tools,
    instructions: systemText(raw.system),
    stream: raw.stream ?? false,
    store: false,
  };
  if (toolChoice !== undefined) request.tool_choice = toolChoice;
  if (parallel !== undefined) request.parallel_tool_calls = parallel;
  if (effort !== undefined) request.reasoning = { effort };
  if (typeof raw.max_tokens === 'number') request.max_output_tokens = raw.max_tokens;
  if (typeof raw.temperature === 'number') request.temperature = raw.temperature;
  if (typeof raw.top_p === 'number') request.top_p = raw.top_p;
  return { request, stopSequences: raw.stop_sequences ?? [], notes };
}

/** The system prompt as one text; null when there is none. */
function systemText(system: MessagesRequest['system']): string | null {
  if (typeof system === 'string') return system === '' ? null : system;
  if (!Array.isArray(system)) return null;
  const texts = system
    .map((block, index) => parseBlock(textBlockSchema, block, `system[${index}]`).text)
    .filter((text) => !text.startsWith(BILLING_HEADER_PREFIX));
  return texts.length === 0 ? null : texts.join('\n\n');
}

/**
 * The effort asked for: `output_config.effort` (Claude Code's setting), else a
 * thinking budget read as low/medium/high; disabled thinking is `none`.
 */
function reasoningEffort(raw: MessagesRequest): ReasoningEffort | undefined {
  const asked = raw.output_config?.effort;
  if (
    asked === 'low' ||
    asked === 'medium' ||
    asked === 'high' ||
    asked === 'max' ||
    asked === 'xhigh' ||
    asked === 'minimal'
  )
    return asked;
  const thinking = raw.thinking;
  if (!thinking) return undefined;
  if (thinking.type === 'disabled') return 'none';
  const budget = thinking.budget_tokens;
  if (thinking.type !== 'enabled' || typeof budget !== 'number') return undefined;
  if (budget <= 4_096) return 'low';
  if (budget <= 16_384) return 'medium';
  return 'high';
}

/** One Anthropic message → Responses items, in order. */
function convertMessage(message: AnthropicMessage, path: string, notes: TranslationNote[]): InputItem[] {
  if (typeof message.content === 'string') {
    return [{ type: 'message', role: message.role, content: message.content }];
  }
  if (message.role === 'assistant') return assistantItems(message.content, path, notes);
  const items: InputItem[] = [];
  let parts: ContentPart[] = [];
  const flushParts = () => {
    if (parts.length > 0) items.push({ type: 'message', role: message.role, content: parts });
    parts = [];
  };
  message.content.forEach((block, index) => {
    const at = `${path}.content[${index}]`;
    if (block.type === 'tool_result') {
      flushParts();
      const result = parseBlock(toolResultBlockSchema, block, at);
      items.push({
        type: 'function_call_output',
        call_id: result.tool_use_id,
        output: toolResultOutput(result.content ?? '', result.is_error === true, at, notes),
      });
      return;
    }
    const part = userPart(block, at, notes);
    if (part) parts.push(part);
  });
  flushParts();
  return items;
}

/** Assistant blocks: text, thinking (reasoning items) and tool calls. */
function assistantItems(blocks: readonly AnthropicContentBlock[], path: string, notes: TranslationNote[]): InputItem[] {
  const items: InputItem[] = [];
  blocks.forEach((block, index) => {
    const at = `${path}.content[${index}]`;
    switch (block.type) {
      case 'text':
        items.push({
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: parseBlock(textBlockSchema, block, at).text }],
        });
        break;
      case 'thinking': {
        const thinking = parseBlock(thinkingBlockSchema, block, at);
        items.push({
          type: 'reasoning',
          content: [{ type: 'reasoning_text', text: thinking.thinking }],
          encrypted_content: thinking.signature ?? null,
        });
        break;
      }
      case 'redacted_thinking':
        items.push({
          type: 'reasoning',
          content: [],
          encrypted_content: parseBlock(redactedThinkingBlockSchema, block, at).data,
        });
        break;
      case 'tool_use': {
        const call = parseBlock(toolUseBlockSchema, block, at);
        items.push({
          type: 'function_call',
          call_id: call.id,
          name: call.name,
          arguments: JSON.stringify(call.input ?? {}),
        });
        break;
      }
      default:
        notes.push({ level: 'warn', message: `skipped assistant content block of type '${block.type}' at ${at}` });
    }
  });
  return items;
}

/** A user (or system) content block as a Responses content part; undefined for blocks that carry nothing here. */
function userPart(block: AnthropicContentBlock, at: string, notes: TranslationNote[]): ContentPart | undefined {
  switch (block.type) {
    case 'text':
      return { type: 'input_text', text: parseBlock(textBlockSchema, block, at).text };
    case 'image':
      return { type: 'input_image', image_url: imageUrl(parseBlock(imageBlockSchema, block, at)), detail: 'auto' };
    case 'document': {
      const title = typeof block.title === 'string' ? ` ${block.title}` : '';
      notes.push({ level: 'warn', message: `document blocks are not sent upstream; replaced by a note (${at})` });
      return { type: 'input_text', text: `[attached document${title} not available to this model]` };
    }
    default:
      notes.push({ level: 'warn', message: `skipped content block of type '${block.type}' at ${at}` });
      return undefined;
  }
}

function imageUrl(image: ReturnType<typeof imageBlockSchema.parse>): string {
  const source = image.source;
  return source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
}

/** A tool result's content: text, or text and images; an error result says so. */
function toolResultOutput(
  content: string | AnthropicContentBlock[],
  isError: boolean,
  at: string,
  notes: TranslationNote[],
): string | ContentPart[] {
  const prefix = isError ? 'Error: ' : '';
  if (typeof content === 'string') return prefix + content;
  const parts: ContentPart[] = [];
  content.forEach((block, index) => {
    const part = userPart(block, `${at}.content[${index}]`, notes);
    if (part) parts.push(part);
  });
  if (prefix !== '') parts.unshift({ type: 'input_text', text: prefix.trim() });
  return parts;
}

/**
 * Tools with a JSON schema are functions; Anthropic's own server tools
 * (web search, code execution) have no upstream here and are left out.
 */
function convertToolsAndChoice(
  rawTools: readonly AnthropicTool[],
  choice: AnthropicToolChoice | undefined,
  notes: TranslationNote[],
): { tools: FunctionTool[]; toolChoice: ResponsesRequest['tool_choice']; parallel: boolean | undefined } {
  const tools: FunctionTool[] = [];
  for (const tool of rawTools) {
    if (tool.input_schema === undefined || tool.input_schema === null || (tool.type && tool.type !== 'custom')) {
      notes.push({
        level: 'warn',
        message: `tool '${tool.name}' (${tool.type ?? 'no input_schema'}) is served by Anthropic only; not offered upstream`,
      });
      continue;
    }
    tools.push({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.input_schema,
      strict: false,
    });
  }
  const parallel = choice?.disable_parallel_tool_use === true ? false : undefined;
  switch (choice?.type) {
    case undefined:
    case 'auto':
      return { tools, toolChoice: undefined, parallel };
    case 'any':
      return { tools, toolChoice: 'required', parallel };
    case 'none':
      return { tools, toolChoice: 'none', parallel };
    case 'tool':
      if (!choice.name)
        throw invalidRequest("tool_choice.name: Field required when tool_choice.type is 'tool'.", 'tool_choice.name');
      return { tools, toolChoice: { type: 'function', name: choice.name }, parallel };
  }
}

/** Validates one block against its schema; a 400 naming the block otherwise. */
function parseBlock<T>(
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } },
  block: unknown,
  at: string,
): T {
  const parsed = schema.safeParse(block);
  if (!parsed.success) throw zodErrorToRelayError(parsed.error, [at], block);
  return parsed.data;
}
