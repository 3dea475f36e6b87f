/**
 * The outgoing stream as an explicit state machine: Chat Completions chunks in,
 * Responses stream events out. Pure — ids, time and provider hooks are passed
 * in — and fed one chunk at a time:
 *
 *   start() → created, in_progress
 *   onChunk(chunk) → item added / deltas / done as the upstream sends them
 *   finish() → the last items closed and one terminal event
 *   fail(failure) → response.failed (upstream error, lost connection)
 *
 * This file holds the lifecycle (phases, finish reason, terminal events).
 * What a delta carries is routed to the items by the OutputRouter; each item
 * is built by the builder of its kind (items/), and the events, output
 * indices, usage and the Response snapshot are kept by the StreamCoordinator.
 * Items are emitted one after another (reasoning, then message, then tool
 * calls), each `added` before its deltas and `done` with the complete item.
 */

import type { ChatChunk } from '../chat-types.js';
import type { TranslationNote } from '../notes.js';
import type { ProviderHooks } from '../provider-hooks.js';
import type { ToolNameMap } from '../tool-names.js';
import { responseErrorCode, type UpstreamFailure } from '../upstream-errors.js';
import type { ToolCallIdPrefix } from './items/tool-call-builders.js';
import { LateOutput } from './late-output.js';
import { OutputRouter } from './output-router.js';
import type { ItemStatus, ResponseEcho, ResponseObject } from './response-object.js';
import { StreamCoordinator } from './stream-coordinator.js';
import type { ResponseStreamEvent } from './stream-events.js';

export type { ResponseStreamEvent } from './stream-events.js';

export type IdPrefix = 'msg' | 'rs' | ToolCallIdPrefix | 'call';

/** The provider hooks the stream reads chunks with. */
export type StreamHooks = Pick<
  ProviderHooks,
  'readUsage' | 'normalizeUsage' | 'createContentSplitters' | 'readReasoningPart' | 'readToolCallSignature'
>;

export interface ResponseStreamOptions {
  responseId: string;
  /** Unix seconds. */
  createdAt: number;
  createId: (prefix: IdPrefix) => string;
  /** Unix seconds, read when the response ends. */
  now: () => number;
  echo: ResponseEcho;
  names: ToolNameMap;
  hooks: StreamHooks;
  /** Classifies an error object that arrived inside the stream. */
  classifyStreamError: (body: unknown) => UpstreamFailure;
  /** Applied to a failure's message before it is emitted (keeps upstream keys an error body echoed away from clients). */
  redactMessage?: (message: string) => string;
  /** Told what the stream ignored (output after the finish reason); the caller logs it. */
  onNote?: (note: TranslationNote) => void;
}

type Phase = 'idle' | 'streaming' | 'ended';

/** What depends on the upstream that answers: a fallback brings its own. */
export type UpstreamOptions = Pick<ResponseStreamOptions, 'names' | 'hooks' | 'classifyStreamError' | 'onNote'>;
/** How the upstream stream ended: with `[DONE]`, or the body just stopped. */
export type StreamEnding = 'done' | 'end_of_body';

export class ResponseStreamTranslator {
  private options: ResponseStreamOptions;
  private readonly stream: StreamCoordinator;
  private readonly output: OutputRouter;
  private phase: Phase = 'idle';
  private finishReason: string | undefined;
  /** Output that arrived after the finish reason (ignored). */
  private readonly lateOutput = new LateOutput();
  private failureReason: UpstreamFailure | undefined;

  constructor(options: ResponseStreamOptions) {
    this.options = options;
    this.stream = new StreamCoordinator({ id: options.responseId, createdAt: options.createdAt, echo: options.echo });
    this.output = new OutputRouter(this.stream, () => this.options);
  }

  /**
   * Reads the rest of the stream as coming from another upstream (a fallback
   * answered after the response was started); only before any output.
   */
  useUpstream(upstream: UpstreamOptions): void {
    if (this.stream.hasOutput || this.phase === 'ended')
      throw new Error('The upstream can only change before the response has any output.');
    this.options = { ...this.options, ...upstream };
    this.output.useSplitters();
  }

  /** `response.created` and `response.in_progress`. */
  start(): ResponseStreamEvent[] {
    const events = this.stream.beginStep();
    this.startIfIdle();
    return events;
  }

  /** A standard `response.in_progress` carrying the current state: keeps idle timers alive. */
  heartbeat(): ResponseStreamEvent[] {
    const events = this.stream.beginStep();
    if (this.phase === 'streaming') this.stream.emitSnapshot('response.in_progress');
    return events;
  }

  /** Feeds one parsed upstream chunk. */
  onChunk(chunk: ChatChunk): ResponseStreamEvent[] {
    const events = this.stream.beginStep();
    this.startIfIdle();
    if (this.phase !== 'streaming') return events;

    if ((chunk.error !== undefined && chunk.error !== null) || (chunk as { object?: unknown }).object === 'error') {
      this.failWith(this.options.classifyStreamError(chunk));
      return events;
    }
    const rawUsage = this.options.hooks.readUsage(chunk);
    if (rawUsage) this.stream.setUsage(this.options.hooks.normalizeUsage(rawUsage));

    const choice = chunk.choices?.[0];
    if (!choice) return events;
    const delta = choice.delta ?? choice.message;
    if (this.finishReason !== undefined) {
      // The model said it was done: nothing more of this choice counts (usage, read above, does).
      if (delta) this.lateOutput.record(delta);
      return events;
    }
    if (delta) this.output.onDelta(delta);
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
      if (choice.finish_reason === 'error') {
        this.failWith(
          this.options.classifyStreamError(
            chunk.error ?? choice.error ?? { message: 'the upstream reported an error' },
          ),
        );
        return events;
      }
      this.finishReason = choice.finish_reason;
    }
    return events;
  }

  /**
   * The upstream stream ended: `done` when it said so with `[DONE]` (or sent a
   * whole completion), otherwise the body just stopped. Closes items and ends
   * the response.
   */
  finish(ending: StreamEnding = 'end_of_body'): ResponseStreamEvent[] {
    const events = this.stream.beginStep();
    this.startIfIdle();
    if (this.phase !== 'streaming') return events;
    this.output.flushSplitters();
    if (this.finishReason === undefined) {
      const inferred = ending === 'done' ? this.output.inferFinishReason() : undefined;
      if (inferred === undefined) {
        this.failWith({
          code: 'server_error',
          message:
            ending === 'done'
              ? 'The upstream stream ended with an unfinished tool call (no finish_reason, arguments cut off).'
              : 'The upstream stream ended before the model finished (no finish_reason).',
        });
        return events;
      }
      this.finishReason = inferred;
    }
    const truncated = this.finishReason === 'length' || this.finishReason === 'content_filter';
    const itemStatus: ItemStatus = truncated ? 'incomplete' : 'completed';
    this.output.closeAll(itemStatus);
    this.output.emitLateReasoning();
    this.reportLateOutput();
    this.phase = 'ended';
    const completedAt = this.options.now();
    if (truncated) {
      this.stream.end({
        status: 'incomplete',
        completedAt,
        incompleteReason: this.finishReason === 'length' ? 'max_output_tokens' : 'content_filter',
      });
      this.stream.emitSnapshot('response.incomplete');
    } else {
      this.stream.end({ status: 'completed', completedAt });
      this.stream.emitSnapshot('response.completed');
    }
    return events;
  }

  /** Ends the response with `response.failed` (upstream error, lost connection, timeout). */
  fail(failure: UpstreamFailure): ResponseStreamEvent[] {
    const events = this.stream.beginStep();
    this.startIfIdle();
    this.failWith(failure);
    return events;
  }

  /** Why the response failed, as classified (the emitted `error.code` is the one Codex acts on). */
  get failure(): UpstreamFailure | undefined {
    return this.failureReason;
  }

  /** True once a terminal event has been produced. */
  get ended(): boolean {
    return this.phase === 'ended';
  }

  /** The Response object as it stands (final once `ended`). */
  get response(): ResponseObject {
    return this.stream.snapshot();
  }

  /** The opening events, once, before anything else. */
  private startIfIdle(): void {
    if (this.phase !== 'idle') return;
    this.phase = 'streaming';
    // One snapshot for both: they describe the same state (and are serialised once).
    const response = this.stream.snapshot();
    this.stream.emitSnapshot('response.created', response);
    this.stream.emitSnapshot('response.in_progress', response);
  }

  private reportLateOutput(): void {
    const note = this.lateOutput.note(this.finishReason);
    if (note) this.options.onNote?.(note);
  }

  private failWith(failure: UpstreamFailure): void {
    if (this.phase === 'ended') return;
    this.reportLateOutput();
    this.phase = 'ended';
    this.failureReason = failure;
    const message = this.options.redactMessage ? this.options.redactMessage(failure.message) : failure.message;
    this.stream.end({
      status: 'failed',
      completedAt: this.options.now(),
      error: { code: responseErrorCode(failure), message },
    });
    this.stream.emitSnapshot('response.failed');
  }
}
