/**
 * What every turn's route does the same way, whatever API the client speaks
 * (Responses, Anthropic Messages, Chat Completions): start the turn's
 * lifecycle, wait for an upstream slot and open the upstream with retries and
 * fallbacks, stream the translated events back, and end the turn once when
 * something goes wrong before the stream began.
 */
import type { Context } from 'hono';
import { RelayError, toErrorBody } from '../errors.js';
import type { Logger } from '../log.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { ChatRequest } from '../translate/chat-types.js';
import { describeFailedAttempt, openWithFallbacks, type OpenWithFallbacksResult } from '../upstream/open-with-fallbacks.js';
import type { AppDependencies } from './dependencies.js';
import type { RelayEnv, RequestLabels } from './relay-env.js';
import { TurnLifecycle, type TurnEnding, type TurnLifecycleOptions } from './turn-lifecycle.js';
import { createTurnResponse, type TurnStreamOptions } from './turn-stream.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** Model names are metric labels: bounded in length (a client chooses them). */
const MAX_MODEL_LABEL = 100;

/** The labels and logger of a turn for `model` on `route`, set on the request. */
export function routeLabels(context: Context<RelayEnv>, route: ResolvedRoute, model: string): { labels: RequestLabels; log: Logger } {
  const labels = { provider: route.provider.name, model: model.slice(0, MAX_MODEL_LABEL) };
  context.set('labels', labels);
  const log = context.get('log').child({ provider: route.provider.name, model, upstreamModel: route.upstreamModel });
  return { labels, log };
}

/** Starts the turn's lifecycle (slot, timeout, metrics, log line) and records it on the request. */
export function startTurn(
  context: Context<RelayEnv>,
  deps: AppDependencies,
  options: Pick<TurnLifecycleOptions, 'labels' | 'log' | 'startedAt' | 'response' | 'content' | 'route'>,
): TurnLifecycle {
  const turn = new TurnLifecycle({
    ...options,
    metrics: deps.metrics,
    limiter: deps.limiter,
    registry: deps.turns,
    now: deps.now,
    totalTimeoutMs: deps.timeouts.totalMs,
    clientSignal: context.req.raw.signal,
  });
  context.set('turn', turn);
  return turn;
}

/**
 * Waits for an upstream slot, then opens the upstream stream with retries and
 * fallbacks (each route gets a request translated for its own provider). A
 * total timeout or a shutdown that stops the turn first becomes a failure of
 * the primary route, reported like any other.
 */
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
    // Retries and fallbacks happen here, before any byte reached the client.
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
    // The total timeout or a shutdown stopped the turn before the upstream answered.
    const cutOff = turn.cutOffReason;
    if (cutOff === undefined) throw error;
    return { ok: false, route, prepared: primary, failure: cutOff.failure };
  }
}

/** The streamed HTTP response of a turn whose upstream answered. */
export function streamTurn(
  context: Context<RelayEnv>,
  deps: AppDependencies,
  turn: TurnLifecycle,
  options: Pick<TurnStreamOptions, 'translator' | 'batches' | 'encoder' | 'providerName'> & { onEnd: (ending: TurnEnding) => void },
  first: string,
): Response {
  const clientSignal = context.req.raw.signal;
  return createTurnResponse(
    { ...options, abortUpstream: () => turn.stopUpstream(), clientGone: () => clientSignal.aborted, heartbeatMs: deps.heartbeatMs },
    first,
    SSE_HEADERS,
  );
}

/** Whatever went wrong before the stream began: the turn gives its slot back, is logged once, and the error is rethrown. */
export function failTurn(turn: TurnLifecycle, error: unknown): never {
  turn.end(turn.clientGone ? { status: 'aborted' } : { status: 'failed', httpStatus: toErrorBody(error).status });
  if (turn.clientGone && !(error instanceof RelayError)) {
    throw new RelayError('The client closed the connection before the response started.', { status: 499, type: 'invalid_request_error', code: 'client_closed_request' });
  }
  throw error;
}
