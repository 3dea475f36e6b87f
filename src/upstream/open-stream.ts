/**
 * Opens the upstream stream for one turn and reports the outcome as data:
 * a source of chunk batches, or a classified failure. A JSON (non-SSE)
 * answer is turned into a single batch so callers see one shape.
 */
import type { Dispatcher } from 'undici';
import type { UpstreamEndpoint } from '../routing/provider-connection.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { ChatRequest } from '../translate/chat-types.js';
import { classifyUpstreamError, parseRetryAfterHeaders, type UpstreamFailure } from '../translate/upstream-errors.js';
import { openChatCompletion, readJsonBody, type UpstreamTimeouts } from './chat-client.js';
import { failureFromNetworkError } from './network-errors.js';
import { type PayloadBatch, readSseBatches } from './sse-reader.js';

export type OpenedStream =
  | { ok: true; batches: AsyncGenerator<PayloadBatch> }
  | { ok: false; failure: UpstreamFailure };

/** Classifies an upstream error body with the provider's own mapping first. */
export function classifyForRoute(
  route: ResolvedRoute,
  status: number | undefined,
  body: unknown,
  retryAfterSeconds?: number,
): UpstreamFailure {
  const generic = classifyUpstreamError(status, body, retryAfterSeconds, route.provider.profile.displayName);
  return route.provider.profile.hooks.classifyError(status, body, generic.message) ?? generic;
}

/** Sends the request (with the provider's key, or the one given) and waits for the response headers. */
export async function openUpstreamStream(
  dispatcher: Dispatcher,
  route: ResolvedRoute,
  body: ChatRequest,
  signal: AbortSignal,
  timeouts: UpstreamTimeouts,
  now: number,
  endpoint: UpstreamEndpoint = route.provider.endpoint,
): Promise<OpenedStream> {
  const providerName = route.provider.profile.displayName;
  try {
    const opened = await openChatCompletion(dispatcher, endpoint, body, signal, timeouts);
    if (!opened.ok) {
      return {
        ok: false,
        failure: classifyForRoute(route, opened.status, opened.errorBody, parseRetryAfterHeaders(opened.headers, now)),
      };
    }
    if (opened.json) return { ok: true, batches: jsonAsBatch(opened.body) };
    return { ok: true, batches: readSseBatches(opened.body) };
  } catch (error) {
    if (signal.aborted) throw error;
    return { ok: false, failure: failureFromNetworkError(error, providerName, new URL(endpoint.baseUrl).host) };
  }
}

/** A whole JSON completion (or error) as one batch of one chunk, then `[DONE]`. */
async function* jsonAsBatch(body: AsyncIterable<Uint8Array>): AsyncGenerator<PayloadBatch> {
  const parsed = await readJsonBody(body);
  yield [JSON.stringify(parsed), '[DONE]'];
}
