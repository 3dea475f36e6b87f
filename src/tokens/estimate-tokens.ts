/**
 * An estimate of the prompt tokens of a Chat Completions request, counted
 * with the o200k_base encoding (gpt-tokenizer, pure JavaScript) the way
 * OpenAI's chat models see a request: each message framed by a few tokens,
 * tool definitions rendered as the TypeScript-like namespace the models
 * read, tool calls as their name and arguments.
 *
 * Tolerance: for OpenAI models the estimate is within 10% (or 8 tokens, for
 * short prompts) of the `prompt_tokens` the upstream reports; tests check it
 * against recorded answers. Other models count the same content with their
 * own tokenizers (typically 10–30% apart), and some providers add hidden
 * system prompts of their own (hundreds of tokens when tools are offered),
 * which no count of the request can see. Images count as a flat 765 tokens
 * each (a high-detail 1024×1024 image for OpenAI models).
 */

import type { ChatContentPart, ChatFunctionTool, ChatMessage, ChatRequest } from '../translate/chat-types.js';
import { countTokens as countEncoded } from './o200k-base.js';

/** Tokens framing each message (start, role separator, end). */
const TOKENS_PER_MESSAGE = 3;
/** Tokens that prime the assistant's reply. */
const REPLY_PRIMING_TOKENS = 2;
/** Tokens of a tool call's framing around its name and arguments (recipient, channel, end). */
const TOKENS_PER_TOOL_CALL = 13;
/** Extra tokens per call when several are made at once (they are wrapped in one parallel call). */
const TOKENS_PER_PARALLEL_CALL = 7;
/** Tokens of the framing around the tool definitions. */
const TOOLS_FRAMING_TOKENS = 3;
const TOKENS_PER_IMAGE = 765;
/**
 * Special-token markers such as `<|endoftext|>` in a prompt are plain text to
 * the model (the API never reads them as control tokens); the tokenizer would
 * refuse them by default.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** The tokens of `text`, special-token markers counted as the text they are. */
function countTokens(text: string): number {
  return countEncoded(text, PLAIN_TEXT);
}

/** The estimated prompt tokens of a translated request: messages (with tool calls) and tool definitions. */
export function estimateChatRequestTokens(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let total = REPLY_PRIMING_TOKENS;
  for (const message of request.messages) total += messageTokens(message);
  if (request.tools && request.tools.length > 0)
    total += TOOLS_FRAMING_TOKENS + countTokens(renderTools(request.tools));
  return total;
}

function messageTokens(message: ChatMessage): number {
  let total = TOKENS_PER_MESSAGE + countTokens(message.role);
  switch (message.role) {
    case 'system':
      return total + countTokens(message.content);
    case 'user':
    case 'tool':
      return total + contentTokens(message.content);
    case 'assistant': {
      const content = message.content;
      if (typeof content === 'string') total += countTokens(content);
      else if (Array.isArray(content)) {
        for (const part of content)
          total +=
            part.type === 'text'
              ? countTokens(part.text)
              : countTokens(part.thinking.map((piece) => piece.text).join(''));
      }
      const calls = message.tool_calls ?? [];
      for (const call of calls)
        total += TOKENS_PER_TOOL_CALL + countTokens(call.function.name) + countTokens(call.function.arguments);
      if (calls.length > 1) total += TOKENS_PER_PARALLEL_CALL * calls.length;
      return total;
    }
    default: {
      const _exhaustive: never = message;
      return _exhaustive;
    }
  }
}

function contentTokens(content: string | ChatContentPart[]): number {
  if (typeof content === 'string') return countTokens(content);
  let total = 0;
  for (const part of content) total += part.type === 'text' ? countTokens(part.text) : TOKENS_PER_IMAGE;
  return total;
}

/** The tool definitions as the models read them: a `functions` namespace of TypeScript types. */
export function renderTools(tools: readonly ChatFunctionTool[]): string {
  const lines = ['# Tools', '', '## functions', '', 'namespace functions {', ''];
  for (const tool of tools) {
    const { name, description, parameters } = tool.function;
    if (description) lines.push(...commentLines(description));
    const properties = objectProperties(parameters);
    lines.push(
      properties === undefined ? `type ${name} = () => any;` : `type ${name} = (_: {\n${properties}}) => any;`,
      '',
    );
  }
  lines.push('} // namespace functions');
  return lines.join('\n');
}

function commentLines(text: string): string[] {
  return text.split('\n').map((line) => `// ${line}`);
}

/** The properties of an object schema, one per line; undefined when it has none. */
function objectProperties(schema: Record<string, unknown>, indent = ''): string | undefined {
  const properties = schema.properties;
  if (properties === null || typeof properties !== 'object' || Object.keys(properties).length === 0) return undefined;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as unknown[]).map(String) : []);
  let text = '';
  for (const [name, value] of Object.entries(properties as Record<string, unknown>)) {
    const property = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    if (typeof property.description === 'string')
      text += commentLines(property.description)
        .map((line) => `${indent}${line}\n`)
        .join('');
    text += `${indent}${name}${required.has(name) ? '' : '?'}: ${typeText(property, indent)},\n`;
  }
  return text;
}

function typeText(schema: Record<string, unknown>, indent: string): string {
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const type = Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type ?? 'any')];
  return type
    .map((single) => {
      switch (single) {
        case 'integer':
        case 'number':
          return 'number';
        case 'array': {
          const items =
            schema.items !== null && typeof schema.items === 'object' ? (schema.items as Record<string, unknown>) : {};
          return `${typeText(items, indent)}[]`;
        }
        case 'object': {
          const nested = objectProperties(schema, `${indent}  `);
          return nested === undefined ? 'object' : `{\n${nested}${indent}}`;
        }
        case 'string':
        case 'boolean':
        case 'null':
          return single;
        default:
          return 'any';
      }
    })
    .join(' | ');
}
