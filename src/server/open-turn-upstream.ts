/**
 * The start of every turn, whatever API the client speaks: wait for an
 * upstream slot, then open the upstream stream with retries and fallbacks
 * (each route gets a request translated for its own provider). A total
 * timeout or a shutdown that stops the turn first becomes a failure of the
 * primary route, reported like any other.
 */
import type { Logger } from '../log.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { ChatRequest } from '../translate/chat-types.js';
import { describeFailedAttempt, openWithFallbacks, type OpenWithFallbacksResult } from '../upstream/open-with-fallbacks.js';
import type { AppDependencies } from './dependencies.js';
import type { TurnLifecycle } from './turn-lifecycle.js';

export async function openTurnUpstream<Prepared extends { body: ChatRequest }>(options: {
  deps: AppDependencies;
  turn: TurnLifecycle;
  route: ResolvedRoute;
  /** The request for the primary route, already built. */
  primary: Prepared;
  prepare: (route: ResolvedRoute) => Prepared;
  log: Logger;
}): Promise<OpenWithFallbacksResult<Prepared>> {
  const { deps, turn, route, primary, log } = options;
  try {
    await turn.acquireSlot();
    return await openWithFallbacks({
      dispatcher: deps.dispatcher,
      route,
      prepare: (candidate) => (candidate === route ? primary : options.prepare(candidate)),
      signal: turn.signal,
      timeouts: deps.timeouts,
      retryPolicy: deps.retryPolicy,
      now: deps.now,
      onFailedAttempt: (attempt) => {
        if (attempt.next === 'retry') deps.metrics.retries.inc({ provider: attempt.route.provider.name });
        log.warn(describeFailedAttempt(attempt), 'upstream attempt failed');
      },
    });
  } catch (error) {
    const cutOff = turn.cutOffReason;
    if (cutOff === undefined) throw error;
    return { ok: false, route, prepared: primary, failure: cutOff.failure };
  }
}
