/**
 * Drives a ResponseStreamTranslator from upstream chunk batches. A
 * TurnProducer hands out the SSE text of a streaming turn piece by piece and
 * reads the upstream only when asked for more, so the client's reading pace
 * sets how fast the upstream is read and a slow client holds little memory.
 * The Node server writes those pieces straight to the socket, anywhere else
 * they are read through a web ReadableStream (both node-sse.ts), and the
 * WebSocket sends them as frames. `collectTurn`
 * gathers a whole response for `stream: false`.
 */
import type { ChatChunk } from '../translate/chat-types.js';
import type { ResponseObject } from '../translate/stream/response-object.js';
import type { ResponseStreamEvent, StreamEnding } from '../translate/stream/response-stream.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import { failureFromNetworkError } from '../upstream/network-errors.js';
import type { PayloadBatch } from '../upstream/sse-reader.js';
import { sseResponse } from './node-sse.js';
import { SseText } from './sse-text.js';

/** One outgoing event, in whichever API dialect the client speaks. */
export interface StreamEvent {
  readonly type: string;
}

/**
 * What turns upstream chunks into a client's events: the Responses translator,
 * or a translator for another dialect built on it (Anthropic Messages).
 */
export interface TurnTranslator<Event extends StreamEvent = ResponseStreamEvent> {
  readonly ended: boolean;
  /** The turn as a Responses object: status, error and usage for the outcome, logs and metrics. */
  readonly response: ResponseObject;
  /** Why the turn failed, as classified; undefined unless it failed. */
  readonly failure: UpstreamFailure | undefined;
  start(): Event[];
  onChunk(chunk: ChatChunk): Event[];
  /** The upstream stream ended: `done` when it said so with `[DONE]`, otherwise the body just stopped. */
  finish(ending?: StreamEnding): Event[];
  fail(failure: UpstreamFailure): Event[];
  heartbeat(): Event[];
}

/** Serialises one response's events as SSE text. */
export interface StreamEncoder<Event extends StreamEvent = StreamEvent> {
  encode(events: readonly Event[]): string;
  /** Adds the events' text to `text`, marking what it knows to be ASCII; without it, `encode` is used. */
  encodeInto?(events: readonly Event[], text: SseText): void;
}

export interface TurnStreamOptions {
  translator: TurnTranslator<StreamEvent>;
  batches: AsyncGenerator<PayloadBatch>;
  /** Serialises this response's events. */
  encoder: StreamEncoder;
  providerName: string;
  /** Aborts the upstream request. */
  abortUpstream: () => void;
  /** Whether the client went away (then nothing more is written). */
  clientGone: () => boolean;
  heartbeatMs: number;
  /** Called once with the final state, however the turn ended; the last piece of text waits for what it returns (the store write). */
  onEnd: (outcome: TurnOutcome) => void | Promise<void>;
}

/** Watches one response: every event in the order it is written, then how the turn ended. */
export interface TurnObserver<Event extends StreamEvent = ResponseStreamEvent> {
  events(events: readonly Event[]): void;
  end(status: TurnOutcome['status']): void;
}

export type ResponseObserver = TurnObserver<ResponseStreamEvent>;

/**
 * An encoder that also shows every event to an observer. The streaming path
 * encodes each event exactly once, so watching the encoder watches the stream.
 */
export function observingEncoder<Event extends StreamEvent>(
  encoder: StreamEncoder<Event>,
  observer: TurnObserver<Event>,
): StreamEncoder<Event> {
  const { encodeInto } = encoder;
  return {
    encode(events) {
      observer.events(events);
      return encoder.encode(events);
    },
    ...(encodeInto && {
      encodeInto(events: readonly Event[], text: SseText) {
        observer.events(events);
        encodeInto.call(encoder, events, text);
      },
    }),
  };
}

export interface TurnOutcome {
  /** Terminal status, or 'aborted' when the client left first. */
  status: 'completed' | 'incomplete' | 'failed' | 'aborted';
  failure?: UpstreamFailure;
}

/**
 * Most SSE text translated before it is handed out. One upstream read is
 * normally one piece (one socket write); a burst of upstream data is cut into
 * pieces of about this size. Node reads up to 64 KB from the upstream at a
 * time: at 16 KB a full read took four to six writes, and socket writes are
 * the largest share of the relay's CPU after garbage collection
 * (docs/benchmarks.md, step 20). The first piece after the opening events is
 * handed out as soon as there is any, so the first delta is never held back.
 */
const PIECE_CHARS = 64 * 1024;

const NO_PAYLOADS: PayloadBatch = [];

/** Applies one upstream `data:` payload; a payload that is not JSON fails the response. */
export function applyPayload<Event extends StreamEvent>(
  translator: TurnTranslator<Event>,
  data: string,
): { events: readonly Event[]; failure?: UpstreamFailure } {
  if (data === '[DONE]') return { events: translator.finish('done') };
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    const failure: UpstreamFailure = {
      code: 'server_error',
      message: `The upstream sent a malformed chunk: ${data.slice(0, 200)}`,
    };
    return { events: translator.fail(failure), failure };
  }
  if (chunk === null || typeof chunk !== 'object') return { events: [] };
  return { events: translator.onChunk(chunk as ChatChunk) };
}

/** Applies the payload at `index` of a batch, read from its bytes when the batch can. */
export function applyPayloadAt<Event extends StreamEvent>(
  translator: TurnTranslator<Event>,
  batch: PayloadBatch,
  index: number,
): { events: readonly Event[]; failure?: UpstreamFailure } {
  const chunk = batch.chunkAt?.(index);
  if (chunk !== undefined) return { events: translator.onChunk(chunk as ChatChunk) };
  return applyPayload(translator, batch.at(index)!);
}

/** Applies one batch of upstream `data:` payloads; returns the events produced. */
export function applyBatch<Event extends StreamEvent>(
  translator: TurnTranslator<Event>,
  batch: PayloadBatch,
): { events: Event[]; failure?: UpstreamFailure } {
  const events: Event[] = [];
  for (let index = 0; index < batch.length; index++) {
    if (translator.ended) break;
    const applied = applyPayloadAt(translator, batch, index);
    for (const event of applied.events) events.push(event);
    if (applied.failure) return { events, failure: applied.failure };
  }
  return { events };
}

function outcomeOf(
  translator: Pick<TurnTranslator<StreamEvent>, 'response' | 'failure'>,
  failure: UpstreamFailure | undefined,
): TurnOutcome {
  const response = translator.response;
  if (response.status === 'completed' || response.status === 'incomplete') return { status: response.status };
  const reason = failure ?? translator.failure;
  return reason ? { status: 'failed', failure: reason } : { status: 'failed' };
}

/** The SSE text of one streaming turn, handed out piece by piece. */
export class TurnProducer {
  private readonly options: TurnStreamOptions;
  /** SSE text known before any upstream data, handed out first. */
  private first: string;
  /** The payloads of the current upstream read, and how far they are translated. */
  private pending: PayloadBatch = NO_PAYLOADS;
  private position = 0;
  private failure: UpstreamFailure | undefined;
  private cancelled = false;
  private ended = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastPiece = Date.now();
  /** 1 until the first text from upstream data has been handed out, then PIECE_CHARS. */
  private pieceChars = 1;

  /** `first` is SSE text known before any upstream data (the opening events), handed out first. */
  constructor(options: TurnStreamOptions, first: string) {
    this.options = options;
    this.first = first;
  }

  /** Sends a `response.in_progress` through `write` whenever the upstream has been silent for the heartbeat interval. */
  startHeartbeats(write: (text: string) => void): void {
    if (this.heartbeat || this.ended) return;
    const { translator, heartbeatMs, encoder } = this.options;
    this.heartbeat = setInterval(
      () => {
        if (translator.ended || Date.now() - this.lastPiece < heartbeatMs) return;
        this.lastPiece = Date.now();
        write(encoder.encode(translator.heartbeat()));
      },
      Math.max(10, Math.floor(heartbeatMs / 2)),
    );
    this.heartbeat.unref();
  }

  /** The next piece of SSE text, or undefined once the response has ended. */
  async next(): Promise<SseText | undefined> {
    const { translator } = this.options;
    const text = new SseText();
    text.append(this.first, false);
    this.first = '';
    // The opening events go out alone; after the first piece of upstream output, pieces grow.
    const limit = text.length === 0 ? this.pieceChars : 0;
    while (text.length === 0 || (this.position < this.pending.length && text.length < limit)) {
      if (translator.ended) break;
      if (this.position < this.pending.length) {
        const applied = applyPayloadAt(translator, this.pending, this.position++);
        if (applied.failure) this.failure = applied.failure;
        if (applied.events.length > 0) this.encodeInto(applied.events, text);
        continue;
      }
      // Reads can yield no event (a role-only or finish chunk, usage, a comment line): read on.
      try {
        const next = await this.options.batches.next();
        if (next.done) this.encodeInto(translator.finish(), text);
        else {
          this.pending = next.value;
          this.position = 0;
        }
      } catch (error) {
        if (this.cancelled || this.options.clientGone()) {
          this.end({ status: 'aborted' });
          return undefined;
        }
        this.failure = failureFromNetworkError(error, this.options.providerName);
        this.encodeInto(translator.fail(this.failure), text);
      }
    }
    if (translator.ended && !this.ended) {
      const written = this.end(outcomeOf(translator, this.failure));
      // Read what is left (usually nothing) so the connection can be reused.
      void drain(this.options.batches, this.options.abortUpstream);
      // The final event goes out once the response is stored.
      await written;
    }
    if (text.length === 0) return undefined;
    if (limit > 0) this.pieceChars = PIECE_CHARS;
    this.lastPiece = Date.now();
    return text;
  }

  private encodeInto(events: readonly StreamEvent[], text: SseText): void {
    const { encoder } = this.options;
    if (encoder.encodeInto) encoder.encodeInto(events, text);
    else text.append(encoder.encode(events), false);
  }

  /** The client went away: stop the upstream. */
  cancel(): void {
    if (this.ended) return;
    this.cancelled = true;
    this.options.abortUpstream();
    void this.options.batches.return(undefined).catch(() => undefined);
    this.end({ status: 'aborted' });
  }

  private end(outcome: TurnOutcome): void | Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    return this.options.onEnd(outcome);
  }
}

/** The HTTP response for a streaming turn: its body is the producer's SSE text (node-sse.ts). */
export function createTurnResponse(producer: TurnProducer, headers: Record<string, string>): Response {
  return sseResponse(producer, headers);
}

/** Collects a whole turn for `stream: false`. */
export async function collectTurn<Event extends StreamEvent>(
  options: Pick<TurnStreamOptions, 'batches' | 'providerName'> & {
    translator: TurnTranslator<Event>;
    /** Sees every event produced (tests check conformance with it); absent in normal use. */
    observer?: TurnObserver<Event> | undefined;
  },
): Promise<TurnOutcome> {
  const { translator, batches, observer } = options;
  const started = translator.start();
  observer?.events(started);
  let failure: UpstreamFailure | undefined;
  try {
    for await (const batch of batches) {
      const applied = applyBatch(translator, batch);
      failure = applied.failure;
      observer?.events(applied.events);
      if (translator.ended) break;
    }
    if (!translator.ended) {
      const finished = translator.finish();
      observer?.events(finished);
    }
  } catch (error) {
    failure = failureFromNetworkError(error, options.providerName);
    const failed = translator.fail(failure);
    observer?.events(failed);
  }
  const outcome = outcomeOf(translator, failure);
  observer?.end(outcome.status);
  return outcome;
}

async function drain(batches: AsyncGenerator<PayloadBatch>, abortUpstream: () => void): Promise<void> {
  const timer = setTimeout(abortUpstream, 5_000);
  timer.unref();
  try {
    for (;;) {
      const next = await batches.next();
      if (next.done) break;
    }
  } catch {
    // Nothing useful can be done with a failure after the response ended.
  } finally {
    clearTimeout(timer);
  }
}
