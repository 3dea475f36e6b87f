/**
 * The content of single input items as Chat content: message text, user
 * parts with images, tool outputs, reasoning, arguments. Pure; the turn-level
 * rules (which message each item joins) are in convert-input.ts.
 */
import type { ChatContentPart, ChatUserMessage } from '../chat-types.js';
import type { TranslationNote } from '../notes.js';
import { decodeReasoningEnvelope, type ReasoningCarrier } from '../reasoning-envelope.js';
import type { ToolNameMap } from '../tool-names.js';
import type { AgentMessageItem, ContentPart, InputItem, MessageItem, ReasoningItem } from './responses-schema.js';

export type ToolOutputItem = Extract<
  InputItem,
  { type: 'function_call_output' | 'custom_tool_call_output' | 'tool_search_output' }
>;

/** Reasoning text comes from `content` (raw) or else `summary`; opaque data from the envelope. */
export function reasoningCarrier(item: ReasoningItem): ReasoningCarrier {
  const content = (item.content ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  const text =
    content !== ''
      ? content
      : (item.summary ?? []).map((part) => (typeof part.text === 'string' ? part.text : '')).join('\n\n');
  return { text, ...decodeReasoningEnvelope(item.encrypted_content) };
}

/**
 * A message from another agent, as the user text Codex itself sends when it
 * delivers one in plain text. The relay marks every call's arguments as plain
 * text, so `encrypted_content` here is text a model wrote (or was labelled
 * encrypted by an earlier relay version) and is passed on as it is.
 */
export function agentMessageText(item: AgentMessageItem): string {
  return item.content.map((part) => (part.type === 'input_text' ? part.text : part.encrypted_content)).join('\n');
}

/** The text of a message; images and files in non-user messages are described. */
export function messageText(item: MessageItem, separator: string, notes: TranslationNote[]): string {
  if (typeof item.content === 'string') return item.content;
  const texts: string[] = [];
  for (const part of item.content as ContentPart[]) {
    const text = partText(part, notes);
    if (text !== undefined) texts.push(text);
    else if (part.type === 'input_image') texts.push('[image]');
  }
  return texts.join(separator);
}

function partText(part: ContentPart, notes: TranslationNote[]): string | undefined {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
    case 'summary_text':
    case 'reasoning_text':
      return typeof part.text === 'string' ? part.text : '';
    case 'refusal':
      return typeof (part as { refusal?: unknown }).refusal === 'string' ? (part as { refusal: string }).refusal : '';
    case 'input_file': {
      const file = part as { filename?: string | null; file_url?: string | null };
      notes.push({ level: 'warn', message: 'input_file parts are not sent upstream; replaced by a note' });
      return `[attached file${file.filename ? ` ${file.filename}` : file.file_url ? ` ${file.file_url}` : ''} not available to this model]`;
    }
    case 'input_image':
      return undefined;
    default:
      notes.push({
        level: 'warn',
        message: `skipped content part of unknown type '${(part as { type: string }).type}'`,
      });
      return '';
  }
}

export function userMessage(item: MessageItem, acceptsImages: boolean, notes: TranslationNote[]): ChatUserMessage {
  if (typeof item.content === 'string') return { role: 'user', content: item.content };
  const parts: ChatContentPart[] = [];
  for (const part of item.content as ContentPart[]) {
    if (part.type === 'input_image') {
      const image = imagePart(part);
      if (image && acceptsImages) parts.push(image);
      else if (image) parts.push({ type: 'text', text: '[image omitted: the upstream model does not accept images]' });
      continue;
    }
    const text = partText(part, notes);
    if (text !== undefined && text !== '') parts.push({ type: 'text', text });
  }
  if (parts.every((part) => part.type === 'text')) {
    return { role: 'user', content: parts.map((part) => (part as { text: string }).text).join('\n\n') };
  }
  return { role: 'user', content: parts };
}

function imagePart(part: ContentPart): ChatContentPart | undefined {
  const image = part as { image_url?: string | null; detail?: string | null };
  if (typeof image.image_url !== 'string' || image.image_url === '') return undefined;
  const detail = image.detail === 'original' ? 'high' : image.detail;
  return { type: 'image_url', image_url: detail ? { url: image.image_url, detail } : { url: image.image_url } };
}

export function toolOutputContent(
  item: ToolOutputItem,
  names: ToolNameMap,
): { text: string; images: ChatContentPart[] } {
  if (item.type === 'tool_search_output') {
    const callable = item.tools.flatMap((tool) => callableNames(tool, names));
    return {
      text: callable.length > 0 ? `Tools now available: ${callable.join(', ')}` : 'No matching tools found.',
      images: [],
    };
  }
  const output = item.output;
  if (typeof output === 'string') return { text: output, images: [] };
  const texts: string[] = [];
  const images: ChatContentPart[] = [];
  for (const part of output as ContentPart[]) {
    if (part.type === 'input_image') {
      const image = imagePart(part);
      if (image) images.push(image);
    } else if ('text' in part && typeof part.text === 'string') {
      texts.push(part.text);
    }
  }
  return { text: texts.join('\n'), images };
}

/**
 * The names the model can call for a tool a tool_search found: a namespace
 * (how Codex returns MCP servers) stands for its tools' flat names.
 */
function callableNames(value: unknown, names: ToolNameMap): string[] {
  if (value === null || typeof value !== 'object') return [];
  const tool = value as { type?: unknown; name?: unknown; tools?: unknown };
  if (typeof tool.type !== 'string') return [];
  const name = typeof tool.name === 'string' ? tool.name : undefined;
  if (tool.type === 'namespace' && name !== undefined && Array.isArray(tool.tools)) {
    return (tool.tools as Array<{ type?: unknown; name?: unknown }>)
      .filter((inner) => typeof inner.name === 'string')
      .map((inner) =>
        names.upstreamNameFor({
          kind: inner.type === 'custom' ? 'custom' : 'function',
          name: inner.name as string,
          namespace: name,
        }),
      );
  }
  if ((tool.type === 'function' || tool.type === 'custom') && name !== undefined)
    return [names.upstreamNameFor({ kind: tool.type, name })];
  return [name ?? tool.type];
}

/** Empty arguments become `{}`; arguments that are not JSON are wrapped so strict upstreams accept them. */
export function normalizeArguments(args: string, path: string, notes: TranslationNote[]): string {
  const trimmed = args.trim();
  if (trimmed === '') return '{}';
  try {
    JSON.parse(trimmed);
    return args;
  } catch {
    notes.push({ level: 'debug', message: `${path} is not valid JSON; wrapped as {"raw": …}` });
    return JSON.stringify({ raw: args });
  }
}
