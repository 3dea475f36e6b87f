/**
 * The upstream side of a streamed Responses turn that has already started:
 * its batches once the upstream answered, and what the translator needs from
 * the route that serves.
 */
import { RelayError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { BuiltChatRequest } from '../translate/request/build-chat-request.js';
import type { ResponseStreamTranslator, UpstreamOptions } from '../translate/stream/response-stream.js';
import { failureFromNetworkError, UpstreamFailedError } from '../upstream/network-errors.js';
import { classifyForRoute } from '../upstream/open-stream.js';
import type { PayloadBatch } from '../upstream/sse-reader.js';
import type { OpenedTurn } from './turn-handling.js';

/** The parts of the translator that depend on the upstream that answers; its notes go to the log that names it. */
export function upstreamOptions(served: ResolvedRoute, built: BuiltChatRequest, servedLog: Logger): UpstreamOptions {
  return {
    names: built.names,
    hooks: served.provider.profile.hooks,
    classifyStreamError: (errorBody) => classifyForRoute(served, undefined, errorBody),
    onNote: (note) => servedLog[note.level](note.message),
  };
}

/**
 * The upstream's batches for a response that has already started: waits for
 * the upstream (retries, fallbacks), then reads it. A failure before any
 * output — the upstream refused, every attempt failed, the queue was full —
 * is thrown as the failure it is, and ends the stream as `response.failed`.
 */
export function streamFromUpstream(
  opening: Promise<OpenedTurn<BuiltChatRequest>>,
  translator: ResponseStreamTranslator,
  route: ResolvedRoute,
): AsyncGenerator<PayloadBatch> {
  return new UpstreamBatches(opening, translator, route);
}

/**
 * Hands out the reader's batches once the upstream has answered. Written out
 * rather than as an async generator around the reader: that costs a few
 * promises per upstream read, which a model sending one token per read pays
 * on every token.
 */
class UpstreamBatches implements AsyncGenerator<PayloadBatch> {
  private reader: AsyncGenerator<PayloadBatch> | undefined;
  private opened: Promise<AsyncGenerator<PayloadBatch>> | undefined;
  /** Named after the provider that answered, which may be a fallback. */
  private providerName = '';
  private finished = false;
  private readonly failed = (error: unknown): never => {
    throw new UpstreamFailedError(failureFromNetworkError(error, this.providerName));
  };

  constructor(
    /** Let go once it has answered: what it resolves to holds the whole Chat request. */
    private opening: Promise<OpenedTurn<BuiltChatRequest>> | undefined,
    private readonly translator: ResponseStreamTranslator,
    private readonly route: ResolvedRoute,
  ) {}

  next(): Promise<IteratorResult<PayloadBatch>> {
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    if (this.reader) return this.reader.next().then(undefined, this.failed);
    return this.openThenRead();
  }

  private async openThenRead(): Promise<IteratorResult<PayloadBatch>> {
    this.opened ??= this.open();
    const reader = await this.opened.catch((error: unknown) => {
      this.finished = true;
      throw error;
    });
    if (this.finished) return { done: true, value: undefined };
    return reader.next().then(undefined, this.failed);
  }

  private async open(): Promise<AsyncGenerator<PayloadBatch>> {
    const opening = this.opening!;
    this.opening = undefined;
    const { opened, servedLog } = await opening.catch((error: unknown) => {
      // The queue for an upstream slot was full (an HTTP 503 had the response not started).
      if (error instanceof RelayError)
        throw new UpstreamFailedError({
          code: error.code === 'server_is_overloaded' ? 'server_is_overloaded' : 'server_error',
          message: error.message,
        });
      throw error;
    });
    if (!opened.ok) throw new UpstreamFailedError(opened.failure);
    if (opened.route !== this.route)
      this.translator.useUpstream(upstreamOptions(opened.route, opened.prepared, servedLog));
    this.providerName = opened.route.provider.profile.displayName;
    this.reader = opened.batches;
    // Stopped while the upstream was being opened: its body is closed now.
    if (this.finished) void opened.batches.return(undefined).catch(() => undefined);
    return opened.batches;
  }

  async return(): Promise<IteratorResult<PayloadBatch>> {
    this.finished = true;
    if (this.reader) await this.reader.return(undefined);
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<PayloadBatch>> {
    this.finished = true;
    if (this.reader) await this.reader.return(undefined);
    throw error;
  }

  [Symbol.asyncIterator](): AsyncGenerator<PayloadBatch> {
    return this;
  }
}
