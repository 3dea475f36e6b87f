/**
 * The outgoing Anthropic stream as an explicit state machine. It drives the
 * relay's Responses stream translator (which already handles every provider
 * quirk: reasoning fields, <think> tags, leaked tool-call markup, usage) and
 * turns its events into Anthropic's, exactly as Anthropic's SDK and Claude
 * Code parse them:
 *
 *   start()   → message_start
 *   onChunk() → content_block_start / content_block_delta / content_block_stop
 *               for `thinking` (thinking_delta, then signature_delta), `text`
 *               (text_delta) and `tool_use` (input_json_delta as it arrives)
 *   finish()  → the last block closed, message_delta (stop_reason, usage), message_stop
 *   fail()    → an `error` event
 *   heartbeat() → ping
 *
 * A thinking block's signature is the relay's reasoning envelope (opaque
 * provider data) or a fixed marker; Claude Code echoes thinking blocks with
 * their signature, and the request side turns them back into the provider's
 * reasoning field. Pure: ids and the inner translator are passed in.
 */
import type { ChatChunk } from '../chat-types.js';
import type { OutputItem, ResponseObject } from '../stream/response-object.js';
import type { ResponseStreamEvent, ResponseStreamTranslator, StreamEnding } from '../stream/response-stream.js';
import type { UpstreamFailure } from '../upstream-errors.js';
import { streamErrorEvent } from './anthropic-errors.js';

/** One Anthropic stream event. */
export interface AnthropicEvent {
  type: string;
  [field: string]: unknown;
}

/** Signature of a thinking block that carries no opaque provider data (the text is all the provider needs back). */
export const PLAIN_THINKING_SIGNATURE = 'responses-relay';

export interface MessageStreamOptions {
  messageId: string;
  /** The model name the client asked for, repeated back as Anthropic does. */
  model: string;
  inner: ResponseStreamTranslator;
  redactMessage?: (message: string) => string;
}

type BlockKind = 'thinking' | 'text' | 'tool_use';

interface OpenBlock {
  kind: BlockKind;
  index: number;
  outputIndex: number;
  /** For tool_use: whether any input_json_delta went out. */
  sentInput: boolean;
}

export class AnthropicMessageStream {
  private readonly options: MessageStreamOptions;
  private events: AnthropicEvent[] = [];
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private hasToolUse = false;

  constructor(options: MessageStreamOptions) {
    this.options = options;
  }

  start(): AnthropicEvent[] {
    return this.translate(this.options.inner.start());
  }

  onChunk(chunk: ChatChunk): AnthropicEvent[] {
    return this.translate(this.options.inner.onChunk(chunk));
  }

  finish(ending?: StreamEnding): AnthropicEvent[] {
    return this.translate(this.options.inner.finish(ending));
  }

  fail(failure: UpstreamFailure): AnthropicEvent[] {
    return this.translate(this.options.inner.fail(failure));
  }

  /** Anthropic's keep-alive while the upstream is silent. */
  heartbeat(): AnthropicEvent[] {
    return this.ended ? [] : [{ type: 'ping' }];
  }

  get ended(): boolean {
    return this.options.inner.ended;
  }

  /** Why the turn failed, as classified. */
  get failure(): UpstreamFailure | undefined {
    return this.options.inner.failure;
  }

  /** The Responses view of the turn (status, usage, output) for logs, metrics and `stream: false`. */
  get response(): ResponseObject {
    return this.options.inner.response;
  }

  private translate(events: readonly ResponseStreamEvent[]): AnthropicEvent[] {
    this.events = [];
    for (const event of events) this.onEvent(event);
    return this.events;
  }

  private onEvent(event: ResponseStreamEvent): void {
    switch (event.type) {
      case 'response.created':
        this.events.push({ type: 'message_start', message: messageShell(this.options.messageId, this.options.model) });
        break;
      case 'response.output_item.added':
        this.onItemAdded(event.output_index, event.item);
        break;
      case 'response.reasoning_text.delta':
        this.ensureOpen('thinking', event.output_index, { type: 'thinking', thinking: '', signature: '' });
        this.delta({ type: 'thinking_delta', thinking: event.delta });
        break;
      case 'response.output_text.delta':
        this.ensureOpen('text', event.output_index, { type: 'text', text: '' });
        this.delta({ type: 'text_delta', text: event.delta });
        break;
      case 'response.function_call_arguments.delta':
        if (this.open?.kind === 'tool_use' && event.delta !== '') {
          this.open.sentInput = true;
          this.delta({ type: 'input_json_delta', partial_json: event.delta });
        }
        break;
      case 'response.output_item.done':
        this.onItemDone(event.output_index, event.item);
        break;
      case 'response.completed':
      case 'response.incomplete':
        this.closeBlock();
        this.events.push({
          type: 'message_delta',
          delta: { stop_reason: this.stopReason(event.response), stop_sequence: null },
          usage: anthropicUsage(event.response),
        });
        this.events.push({ type: 'message_stop' });
        break;
      case 'response.failed': {
        this.closeBlock();
        // The classified failure, not the code Codex is sent: an overload stays an overload here.
        const error = this.options.inner.failure ??
          event.response.error ?? { code: 'server_error', message: 'The upstream failed.' };
        const message = this.options.redactMessage ? this.options.redactMessage(error.message) : error.message;
        this.events.push({ ...streamErrorEvent({ code: error.code as UpstreamFailure['code'], message }, message) });
        break;
      }
      default:
        break; // in_progress snapshots, content parts, summaries and `.done` texts have no Anthropic counterpart
    }
  }

  private onItemAdded(outputIndex: number, item: { type: string; call_id?: string; name?: string }): void {
    if (item.type === 'message') this.ensureOpen('text', outputIndex, { type: 'text', text: '' });
    else if (item.type === 'function_call' || item.type === 'custom_tool_call' || item.type === 'tool_search_call') {
      this.hasToolUse = true;
      this.ensureOpen('tool_use', outputIndex, {
        type: 'tool_use',
        id: item.call_id,
        name: item.name ?? item.type,
        input: {},
      });
    }
    // A reasoning item opens its block with its first text: one with only opaque data becomes redacted_thinking.
  }

  private onItemDone(outputIndex: number, item: OutputItem): void {
    if (item.type === 'reasoning') {
      const text = item.content.map((part) => part.text).join('');
      const isOpen = this.open?.outputIndex === outputIndex && this.open.kind === 'thinking';
      if (!isOpen && text === '') {
        if (item.encrypted_content) this.wholeBlock({ type: 'redacted_thinking', data: item.encrypted_content });
        return;
      }
      if (!isOpen) {
        this.ensureOpen('thinking', outputIndex, { type: 'thinking', thinking: '', signature: '' });
        this.delta({ type: 'thinking_delta', thinking: text });
      }
      this.delta({ type: 'signature_delta', signature: item.encrypted_content ?? PLAIN_THINKING_SIGNATURE });
      this.closeBlock();
      return;
    }
    if (this.open?.outputIndex !== outputIndex) return;
    if (
      this.open.kind === 'tool_use' &&
      !this.open.sentInput &&
      item.type === 'function_call' &&
      item.arguments !== ''
    ) {
      this.delta({ type: 'input_json_delta', partial_json: item.arguments });
    }
    this.closeBlock();
  }

  private ensureOpen(kind: BlockKind, outputIndex: number, contentBlock: Record<string, unknown>): void {
    if (this.open?.outputIndex === outputIndex && this.open.kind === kind) return;
    this.closeBlock();
    this.open = { kind, index: this.nextIndex++, outputIndex, sentInput: false };
    this.events.push({ type: 'content_block_start', index: this.open.index, content_block: contentBlock });
  }

  private wholeBlock(contentBlock: Record<string, unknown>): void {
    this.closeBlock();
    const index = this.nextIndex++;
    this.events.push({ type: 'content_block_start', index, content_block: contentBlock });
    this.events.push({ type: 'content_block_stop', index });
  }

  private delta(delta: Record<string, unknown>): void {
    if (this.open) this.events.push({ type: 'content_block_delta', index: this.open.index, delta });
  }

  private closeBlock(): void {
    if (!this.open) return;
    this.events.push({ type: 'content_block_stop', index: this.open.index });
    this.open = undefined;
  }

  private stopReason(response: ResponseObject): string {
    if (response.status === 'incomplete')
      return response.incomplete_details?.reason === 'content_filter' ? 'refusal' : 'max_tokens';
    return this.hasToolUse ? 'tool_use' : 'end_turn';
  }
}

/** The message as `message_start` announces it: no content yet. */
function messageShell(id: string, model: string): Record<string, unknown> {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  };
}

/** Anthropic usage: input excludes what was read from the cache. */
export function anthropicUsage(response: Pick<ResponseObject, 'usage'>): Record<string, number> {
  const usage = response.usage;
  if (!usage) return { input_tokens: 0, output_tokens: 0 };
  const cached = usage.input_tokens_details.cached_tokens;
  const written = usage.input_tokens_details.cache_write_tokens;
  return {
    input_tokens: Math.max(0, usage.input_tokens - cached - written),
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}

/** The whole Anthropic Message for `stream: false`, from the finished turn. */
export function messageFromResponse(response: ResponseObject, id: string, model: string): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = [];
  let hasToolUse = false;
  for (const item of response.output) {
    if (item.type === 'reasoning') {
      const text = item.content.map((part) => part.text).join('');
      if (text !== '')
        content.push({
          type: 'thinking',
          thinking: text,
          signature: item.encrypted_content ?? PLAIN_THINKING_SIGNATURE,
        });
      else if (item.encrypted_content) content.push({ type: 'redacted_thinking', data: item.encrypted_content });
    } else if (item.type === 'message') {
      const text = item.content.map((part) => part.text).join('');
      if (text !== '') content.push({ type: 'text', text });
    } else if (item.type === 'function_call') {
      hasToolUse = true;
      content.push({ type: 'tool_use', id: item.call_id, name: item.name, input: parseInput(item.arguments) });
    }
  }
  const stopReason =
    response.status === 'incomplete'
      ? response.incomplete_details?.reason === 'content_filter'
        ? 'refusal'
        : 'max_tokens'
      : hasToolUse
        ? 'tool_use'
        : 'end_turn';
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: anthropicUsage(response),
  };
}

function parseInput(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text === '' ? '{}' : text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { value: parsed };
  } catch {
    return { raw: text };
  }
}

/** `event: <type>` + `data: <json>` for each event. */
export function encodeAnthropicEvents(events: readonly AnthropicEvent[]): string {
  let text = '';
  for (const event of events) text += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return text;
}
