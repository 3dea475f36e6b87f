/**
 * Drives a ResponseStreamTranslator from upstream chunk batches. Used twice:
 * as a pull-based ReadableStream of SSE bytes (the client's reading pace sets
 * how fast the upstream is read, so a slow client holds little memory), and
 * to collect a whole response for `stream: false`.
 */
import type { ChatChunk } from '../translate/chat-types.js';
import type { ResponseEvent, ResponseStreamTranslator } from '../translate/stream/response-stream.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import { failureFromNetworkError } from '../upstream/network-errors.js';
import type { SseEncoder } from './sse-encoding.js';

export interface TurnStreamOptions {
  translator: ResponseStreamTranslator;
  batches: AsyncGenerator<string[]>;
  /** Serialises this response's events. */
  encoder: Pick<SseEncoder, 'encode'>;
  providerName: string;
  /** Aborts the upstream request. */
  abortUpstream: () => void;
  /** Whether the client went away (then nothing more is written). */
  clientGone: () => boolean;
  heartbeatMs: number;
  /** Called once with the final state, however the turn ended. */
  onEnd: (outcome: TurnOutcome) => void;
}

export interface TurnOutcome {
  /** Terminal status, or 'aborted' when the client left first. */
  status: 'completed' | 'incomplete' | 'failed' | 'aborted';
  failure?: UpstreamFailure;
}

/** Applies one batch of upstream `data:` payloads; returns the events produced. */
export function applyBatch(translator: ResponseStreamTranslator, batch: readonly string[]): { events: ResponseEvent[]; failure?: UpstreamFailure } {
  const events: ResponseEvent[] = [];
  for (const data of batch) {
    if (translator.ended) break;
    if (data === '[DONE]') {
      pushAll(events, translator.finish());
      break;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      const failure: UpstreamFailure = { code: 'server_error', message: `The upstream sent a malformed chunk: ${data.slice(0, 200)}` };
      pushAll(events, translator.fail(failure));
      return { events, failure };
    }
    if (chunk === null || typeof chunk !== 'object') continue;
    pushAll(events, translator.onChunk(chunk as ChatChunk));
  }
  return { events };
}

function pushAll(target: ResponseEvent[], events: readonly ResponseEvent[]): void {
  for (const event of events) target.push(event);
}

function outcomeOf(translator: ResponseStreamTranslator, failure: UpstreamFailure | undefined): TurnOutcome {
  const status = translator.response.status;
  if (status === 'completed' || status === 'incomplete') return { status };
  const error = translator.response.error;
  return { status: 'failed', failure: failure ?? (error ? { code: error.code as UpstreamFailure['code'], message: error.message } : undefined) };
}

/** The SSE body for a streaming turn. `firstEvents` are written before any upstream data. */
export function createTurnStream(options: TurnStreamOptions, firstEvents: readonly ResponseEvent[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { translator, batches } = options;
  let heartbeat: NodeJS.Timeout | undefined;
  let lastWrite = Date.now();
  let ended = false;

  const end = (outcome: TurnOutcome) => {
    if (ended) return;
    ended = true;
    if (heartbeat) clearInterval(heartbeat);
    options.onEnd(outcome);
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(options.encoder.encode(firstEvents)));
        heartbeat = setInterval(() => {
          if (translator.ended || Date.now() - lastWrite < options.heartbeatMs) return;
          lastWrite = Date.now();
          try {
            controller.enqueue(encoder.encode(options.encoder.encode(translator.heartbeat())));
          } catch {
            // The stream was closed between the check and the write.
          }
        }, Math.max(10, Math.floor(options.heartbeatMs / 2)));
        heartbeat.unref();
      },
      async pull(controller) {
        let failure: UpstreamFailure | undefined;
        let events: ResponseEvent[] = [];
        // A read can yield no event (a role-only or finish chunk, usage, a comment line). Read on:
        // returning without enqueuing would leave the stream waiting until the next heartbeat.
        while (events.length === 0 && !translator.ended) {
          try {
            const next = await batches.next();
            if (next.done) {
              events = translator.finish();
            } else {
              ({ events, failure } = applyBatch(translator, next.value));
            }
          } catch (error) {
            if (options.clientGone()) {
              end({ status: 'aborted' });
              return;
            }
            failure = failureFromNetworkError(error, options.providerName);
            events = translator.fail(failure);
          }
        }
        if (events.length > 0) {
          lastWrite = Date.now();
          controller.enqueue(encoder.encode(options.encoder.encode(events)));
        }
        if (translator.ended) {
          end(outcomeOf(translator, failure));
          controller.close();
          // Read what is left (usually nothing) so the connection can be reused.
          void drain(batches, options.abortUpstream);
        }
      },
      cancel() {
        options.abortUpstream();
        void batches.return(undefined).catch(() => undefined);
        end({ status: 'aborted' });
      },
    },
    { highWaterMark: 1 },
  );
}

/** Collects a whole turn for `stream: false`. */
export async function collectTurn(options: Pick<TurnStreamOptions, 'translator' | 'batches' | 'providerName'>): Promise<TurnOutcome> {
  const { translator, batches } = options;
  translator.start();
  let failure: UpstreamFailure | undefined;
  try {
    for await (const batch of batches) {
      failure = applyBatch(translator, batch).failure;
      if (translator.ended) break;
    }
    if (!translator.ended) translator.finish();
  } catch (error) {
    failure = failureFromNetworkError(error, options.providerName);
    translator.fail(failure);
  }
  return outcomeOf(translator, failure);
}

async function drain(batches: AsyncGenerator<string[]>, abortUpstream: () => void): Promise<void> {
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
