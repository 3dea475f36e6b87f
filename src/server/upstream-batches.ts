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
export async function* streamFromUpstream(
  opening: Promise<OpenedTurn<BuiltChatRequest>>,
  translator: ResponseStreamTranslator,
  route: ResolvedRoute,
): AsyncGenerator<PayloadBatch> {
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
  if (opened.route !== route) translator.useUpstream(upstreamOptions(opened.route, opened.prepared, servedLog));
  const providerName = opened.route.provider.profile.displayName;
  try {
    yield* opened.batches;
  } catch (error) {
    // Named after the provider that answered, which may be a fallback.
    throw new UpstreamFailedError(failureFromNetworkError(error, providerName));
  }
}
