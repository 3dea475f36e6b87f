/**
 * Opens the upstream stream for a turn, trying again before any byte reached
 * the client: the same route while its failure is retryable and the retry
 * policy allows (connection errors, 429, 5xx; backoff with jitter, the
 * upstream's Retry-After, a time budget), then each fallback route in order.
 * The last failure is what the client hears about. Within an attempt, a
 * provider with several keys moves on to its next key (open-with-keys.ts).
 *
 * A failure caused by the request itself (refused as invalid, or too long for
 * the model) ends the loop at once: the same request would fail elsewhere too,
 * and a context overflow must reach Codex so it compacts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KeyEvent } from '../routing/key-pool.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { ChatRequest } from '../translate/chat-types.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import type { UpstreamTimeouts } from './chat-client.js';
import { openWithKeys } from './open-with-keys.js';
import { type RetryPolicy, retryDelayMs } from './retry-policy.js';
import type { PayloadBatch } from './sse-reader.js';
import type { UpstreamDispatcher } from './upstream-dispatcher.js';

/** What a caller learns about each failed attempt (for logs). */
export interface FailedAttempt {
  route: ResolvedRoute;
  failure: UpstreamFailure;
  /** 1 for the first attempt on this route. */
  attempt: number;
  /** What happens next: the same route again after `delayMs`, the next fallback, or nothing. */
  next: 'retry' | 'fallback' | 'give-up';
  delayMs?: number;
}

export interface OpenWithFallbacksOptions<Prepared extends { body: ChatRequest }> {
  /** The pool of each provider. */
  dispatcher: UpstreamDispatcher;
  route: ResolvedRoute;
  /** Builds the upstream request for one route: each provider gets its own translation. */
  prepare: (route: ResolvedRoute) => Prepared;
  /** Aborts attempts and waits (the client went away). */
  signal: AbortSignal;
  timeouts: UpstreamTimeouts;
  retryPolicy: RetryPolicy;
  /** Milliseconds since the epoch. */
  now: () => number;
  onFailedAttempt?: (attempt: FailedAttempt) => void;
  /** A key of a provider's pool changed status (set aside, resting, accepted again). */
  onKeyEvent?: (route: ResolvedRoute, event: KeyEvent) => void;
  random?: () => number;
}

export type OpenWithFallbacksResult<Prepared> =
  | { ok: true; route: ResolvedRoute; prepared: Prepared; batches: AsyncGenerator<PayloadBatch> }
  | { ok: false; route: ResolvedRoute; prepared: Prepared; failure: UpstreamFailure };

/** Failures another attempt cannot fix: the request itself is the problem. */
function isRequestFailure(failure: UpstreamFailure): boolean {
  return failure.code === 'invalid_request' || failure.code === 'context_length_exceeded';
}

/** Tries the route, its retries and its fallbacks until one opens a stream. */
export async function openWithFallbacks<Prepared extends { body: ChatRequest }>(
  options: OpenWithFallbacksOptions<Prepared>,
): Promise<OpenWithFallbacksResult<Prepared>> {
  const routes = [options.route, ...options.route.fallbacks];
  const startedAt = options.now();
  let last: OpenWithFallbacksResult<Prepared> | undefined;
  for (const [routeIndex, route] of routes.entries()) {
    const prepared = options.prepare(route);
    for (let attempt = 1; ; attempt++) {
      const retriesSoFar = attempt - 1;
      const opened = await openWithKeys(
        options.dispatcher.forProvider(route.provider),
        route,
        prepared.body,
        options.signal,
        options.timeouts,
        options.now,
        (event) => options.onKeyEvent?.(route, event),
      );
      if (opened.ok) return { ok: true, route, prepared, batches: opened.batches };
      last = { ok: false, route, prepared, failure: opened.failure };
      const hasFallback = routeIndex < routes.length - 1;
      if (isRequestFailure(opened.failure)) {
        options.onFailedAttempt?.({ route, failure: opened.failure, attempt, next: 'give-up' });
        return last;
      }
      // Each route gets the policy's retries; the time budget is shared by the whole request.
      const delay = retryDelayMs(
        opened.failure,
        retriesSoFar,
        options.now() - startedAt,
        options.retryPolicy,
        options.random,
      );
      if (delay === undefined) {
        options.onFailedAttempt?.({
          route,
          failure: opened.failure,
          attempt,
          next: hasFallback ? 'fallback' : 'give-up',
        });
        break;
      }
      options.onFailedAttempt?.({ route, failure: opened.failure, attempt, next: 'retry', delayMs: delay });
      await sleep(delay, undefined, { signal: options.signal });
    }
  }
  // The loop runs at least once (the route itself), so a failure was recorded.
  return last!;
}

/** The log fields for a failed attempt. */
export function describeFailedAttempt(attempt: FailedAttempt): Record<string, unknown> {
  return {
    attempt: attempt.attempt,
    attemptProvider: attempt.route.provider.name,
    attemptModel: attempt.route.upstreamModel,
    failure: attempt.failure.code,
    failureMessage: attempt.failure.message,
    next: attempt.next,
    ...(attempt.delayMs !== undefined ? { delayMs: attempt.delayMs } : {}),
  };
}
