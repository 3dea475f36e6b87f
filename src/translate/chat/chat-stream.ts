/**
 * The outgoing Chat Completions stream as an explicit state machine: upstream
 * chunks in, the client's chunks out, as close to the provider's own as the
 * provider's quirks allow. Pure — ids, time and hooks are passed in.
 *
 *   start()   → nothing (the upstream's first chunk carries the role)
 *   onChunk() → the chunk, with the client's model name; content runs through
 *               the provider's splitters: `<think>` text becomes
 *               `reasoning_content`, tool calls leaked as markup become real
 *               `tool_calls` (and the finish reason `tool_calls`); the usage
 *               chunk only if the client asked for it
 *   finish()  → held-back text, then `[DONE]`; a stream that ended without a
 *               finish reason fails closed
 *   fail()    → an `error` chunk in OpenAI's shape, then the end
 *   heartbeat() → an SSE comment
 *
 * It also keeps the whole message, for `stream: false` and for the turn's
 * outcome, usage and log line.
 */

import type { ChatChunk, ChatDelta, ChatToolCallDelta } from '../chat-types.js';
import type { ProviderHooks } from '../provider-hooks.js';
import {
  type ContentSegment,
  type ContentSplitter,
  runSplitters,
  splittersPassThrough,
} from '../stream/content-splitter.js';
import {
  buildResponseEcho,
  buildResponseObject,
  type ResponseEcho,
  type ResponseObject,
  type ResponseStatus,
} from '../stream/response-object.js';
import {
  createToolCallState,
  fragmentId,
  isWholeJson,
  matchToolCall,
  type ToolCallState,
} from '../stream/tool-calls.js';
import type { UpstreamFailure } from '../upstream-errors.js';
import { toResponsesUsage, type Usage } from '../usage.js';

/** One piece of the outgoing stream: a chunk, the closing `[DONE]`, or a keep-alive comment. */
export type ChatStreamEvent =
  | { type: 'chunk'; chunk: Record<string, unknown> }
  | { type: 'done' }
  | { type: 'keep-alive' };

export interface ChatStreamOptions {
  /** `chatcmpl-…`, the same on every chunk. */
  id: string;
  /** The model name the client asked for. */
  model: string;
  /** Unix seconds. */
  created: number;
  hooks: Pick<ProviderHooks, 'readUsage' | 'normalizeUsage' | 'createContentSplitters'>;
  toolNames: ReadonlySet<string>;
  includeUsage: boolean;
  createId: (prefix: 'call') => string;
  classifyStreamError: (body: unknown) => UpstreamFailure;
  redactMessage?: (message: string) => string;
}

type Phase = 'streaming' | 'ended';

export class ChatPassthroughStream {
  private readonly options: ChatStreamOptions;
  private readonly splitters: ContentSplitter[];
  private readonly echo: ResponseEcho;
  private events: ChatStreamEvent[] = [];
  private phase: Phase = 'streaming';
  private text = '';
  private reasoning = '';
  /**
   * Every tool call in the order the client sees them: `outputIndex` is the
   * client's index, `callId` its id. Upstreams that put every call at index 0
   * (with new ids) or send whole calls without index or id are re-indexed, so
   * a client never merges two calls into one.
   */
  private readonly calls: ToolCallState[] = [];
  private repairedCalls = false;
  private roleSent = false;
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private status: ResponseStatus = 'in_progress';
  private error: { code: string; message: string } | null = null;
  private failureReason: UpstreamFailure | undefined;

  constructor(options: ChatStreamOptions) {
    this.options = options;
    this.splitters = options.hooks.createContentSplitters({ has: (name) => options.toolNames.has(name) });
    this.echo = buildResponseEcho({ model: options.model, input: [], tools: [], instructions: null });
  }

  start(): ChatStreamEvent[] {
    return [];
  }

  heartbeat(): ChatStreamEvent[] {
    return this.phase === 'streaming' ? [{ type: 'keep-alive' }] : [];
  }

  onChunk(chunk: ChatChunk): ChatStreamEvent[] {
    this.events = [];
    if (this.phase !== 'streaming') return this.events;
    if ((chunk.error !== undefined && chunk.error !== null) || (chunk as { object?: unknown }).object === 'error') {
      this.failWith(this.options.classifyStreamError(chunk));
      return this.events;
    }
    const rawUsage = this.options.hooks.readUsage(chunk);
    if (rawUsage) this.usage = this.options.hooks.normalizeUsage(rawUsage);
    const choice = chunk.choices?.[0];
    if (!choice) {
      if (rawUsage && this.options.includeUsage) this.pushChunk([], rawUsage);
      return this.events;
    }
    const delta = choice.delta ?? choice.message ?? {};
    const finish =
      typeof choice.finish_reason === 'string' && choice.finish_reason !== '' ? choice.finish_reason : undefined;
    if (finish === 'error') {
      this.failWith(
        this.options.classifyStreamError(chunk.error ?? choice.error ?? { message: 'the upstream reported an error' }),
      );
      return this.events;
    }
    this.onDelta(delta);
    if (finish !== undefined && this.finishReason !== undefined) {
      // Some hosts (Kimi's) send the finish reason twice, usage on the second: the client gets it once.
      if (rawUsage && this.options.includeUsage) this.pushChunk([], rawUsage);
    } else if (finish !== undefined) {
      this.finishReason = finish;
      // Held-back text goes out before the finish reason.
      this.pushSegments(runSplitters(this.splitters, '', true));
      this.pushChunk(
        [{ index: 0, delta: {}, finish_reason: this.clientFinishReason() }],
        rawUsage && this.options.includeUsage ? rawUsage : undefined,
      );
    } else if (rawUsage && this.options.includeUsage) {
      this.pushChunk([], rawUsage);
    }
    return this.events;
  }

  finish(): ChatStreamEvent[] {
    this.events = [];
    if (this.phase !== 'streaming') return this.events;
    if (this.finishReason === undefined) {
      this.failWith({
        code: 'server_error',
        message: 'The upstream stream ended before the model finished (no finish_reason).',
      });
      return this.events;
    }
    this.phase = 'ended';
    this.status = this.finishReason === 'length' || this.finishReason === 'content_filter' ? 'incomplete' : 'completed';
    this.events.push({ type: 'done' });
    return this.events;
  }

  fail(failure: UpstreamFailure): ChatStreamEvent[] {
    this.events = [];
    this.failWith(failure);
    return this.events;
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  /** Why the turn failed, as classified. */
  get failure(): UpstreamFailure | undefined {
    return this.failureReason;
  }

  /** The turn as a Responses object (status, error, usage) for the outcome, logs and metrics. */
  get response(): ResponseObject {
    return buildResponseObject(
      {
        id: this.options.id,
        createdAt: this.options.created,
        status: this.status,
        completedAt: null,
        error: this.error,
        incompleteReason:
          this.status === 'incomplete'
            ? this.finishReason === 'length'
              ? 'max_output_tokens'
              : 'content_filter'
            : null,
        output: [],
        usage: this.usage && this.phase === 'ended' ? toResponsesUsage(this.usage) : null,
      },
      this.echo,
    );
  }

  /** The whole `chat.completion` for `stream: false`. */
  completion(): Record<string, unknown> {
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: this.text === '' && this.calls.length > 0 ? null : this.text,
    };
    if (this.reasoning !== '') message.reasoning_content = this.reasoning;
    if (this.calls.length > 0) {
      message.tool_calls = this.calls.map((call) => ({
        id: call.callId,
        type: 'function',
        function: { name: call.upstreamName, arguments: call.arguments },
      }));
    }
    const completion: Record<string, unknown> = {
      id: this.options.id,
      object: 'chat.completion',
      created: this.options.created,
      model: this.options.model,
      choices: [{ index: 0, message, finish_reason: this.clientFinishReason() ?? 'stop', logprobs: null }],
    };
    if (this.usage) {
      completion.usage = {
        prompt_tokens: this.usage.inputTokens,
        completion_tokens: this.usage.outputTokens,
        total_tokens: this.usage.totalTokens,
        prompt_tokens_details: { cached_tokens: this.usage.cachedInputTokens },
        completion_tokens_details: { reasoning_tokens: this.usage.reasoningTokens },
      };
    }
    return completion;
  }

  // ---- deltas ---------------------------------------------------------------------------

  private onDelta(delta: ChatDelta): void {
    // The role goes on the first chunk that goes out, whatever the upstream put it on (see pushChunk).
    const { content, tool_calls: toolCalls, role: _role, ...rest } = delta;
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      if (typeof rest[field] === 'string') this.reasoning += rest[field];
    }
    const passed: Record<string, unknown> = { ...rest };
    let segments: ContentSegment[] = [];
    if (typeof content === 'string' && content !== '') {
      if (splittersPassThrough(this.splitters, content)) {
        passed.content = content;
        this.text += content;
      } else {
        segments = runSplitters(this.splitters, content, false);
      }
    }
    if (Array.isArray(toolCalls) && toolCalls.length > 0)
      passed.tool_calls = toolCalls.map((fragment) => this.collectFragment(fragment));
    if (Object.keys(passed).length > 0) this.pushChunk([{ index: 0, delta: passed, finish_reason: null }]);
    this.pushSegments(segments);
  }

  /** Keeps a tool-call fragment for the whole message; returns it as the client gets it. */
  private collectFragment(fragment: ChatToolCallDelta): ChatToolCallDelta {
    let call = matchToolCall(this.calls, fragment, (candidate) => isWholeJson(candidate.arguments));
    const id = fragmentId(fragment);
    const starts = call === undefined;
    if (!call) call = this.newCall(typeof fragment.index === 'number' ? fragment.index : undefined, id);
    if (call.upstreamId === undefined && id !== undefined) call.upstreamId = id;
    const name = fragment.function?.name;
    if (typeof name === 'string' && name !== '') {
      call.upstreamName += name;
      call.added = true;
    }
    if (typeof fragment.function?.arguments === 'string') call.arguments += fragment.function.arguments;
    // The first fragment of a call always names its id (some upstreams send none).
    return { ...fragment, index: call.outputIndex, ...(starts ? { id: call.callId, type: 'function' } : {}) };
  }

  private newCall(upstreamIndex: number | undefined, upstreamId: string | undefined): ToolCallState {
    const call = createToolCallState(upstreamIndex, upstreamId);
    call.outputIndex = this.calls.length;
    call.callId = upstreamId ?? this.options.createId('call');
    this.calls.push(call);
    return call;
  }

  private pushSegments(segments: readonly ContentSegment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'text') {
        if (segment.text === '') continue;
        this.text += segment.text;
        this.pushChunk([{ index: 0, delta: { content: segment.text }, finish_reason: null }]);
      } else if (segment.kind === 'reasoning') {
        this.reasoning += segment.text;
        this.pushChunk([{ index: 0, delta: { reasoning_content: segment.text }, finish_reason: null }]);
      } else {
        const call = this.newCall(undefined, undefined);
        call.upstreamName = segment.name;
        call.arguments = segment.arguments;
        call.added = true;
        call.closed = true;
        this.repairedCalls = true;
        const repaired = {
          index: call.outputIndex,
          id: call.callId,
          type: 'function',
          function: { name: segment.name, arguments: segment.arguments },
        };
        this.pushChunk([{ index: 0, delta: { tool_calls: [repaired] }, finish_reason: null }]);
      }
    }
  }

  /** A finish reason of `stop` after repaired calls is `tool_calls`: the client must run them. */
  private clientFinishReason(): string | undefined {
    if (this.repairedCalls && this.finishReason === 'stop') return 'tool_calls';
    return this.finishReason;
  }

  private pushChunk(choices: Array<Record<string, unknown>>, usage?: unknown): void {
    const first = choices[0];
    if (first && !this.roleSent) {
      first.delta = { role: 'assistant', ...(first.delta as Record<string, unknown>) };
      this.roleSent = true;
    }
    const chunk: Record<string, unknown> = {
      id: this.options.id,
      object: 'chat.completion.chunk',
      created: this.options.created,
      model: this.options.model,
      choices,
    };
    if (usage !== undefined) chunk.usage = usage;
    this.events.push({ type: 'chunk', chunk });
  }

  private failWith(failure: UpstreamFailure): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.status = 'failed';
    const message = this.options.redactMessage ? this.options.redactMessage(failure.message) : failure.message;
    this.error = { code: failure.code, message };
    this.failureReason = failure;
    this.events.push({
      type: 'chunk',
      chunk: {
        error: {
          message,
          type: failure.code === 'rate_limit_exceeded' ? 'rate_limit_error' : 'server_error',
          param: null,
          code: failure.code,
        },
      },
    });
  }
}

/** `data: <json>` per chunk, `data: [DONE]` at the end, a comment as keep-alive. */
export function encodeChatEvents(events: readonly ChatStreamEvent[]): string {
  let text = '';
  for (const event of events) {
    if (event.type === 'chunk') text += `data: ${JSON.stringify(event.chunk)}\n\n`;
    else if (event.type === 'done') text += 'data: [DONE]\n\n';
    else text += ': keep-alive\n\n';
  }
  return text;
}
