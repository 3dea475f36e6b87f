/**
 * What every turn's route does the same way, whatever API the client speaks
 * (Responses, Anthropic Messages, Chat Completions): start the turn's
 * lifecycle and its usage record, wait for an upstream slot and open the
 * upstream with retries and fallbacks, stream the translated events back,
 * and end the turn once when something goes wrong before the stream began.
 */
import type { Context } from 'hono';
import { RelayError, toErrorBody } from '../errors.js';
import type { Logger } from '../log.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { ChatRequest } from '../translate/chat-types.js';
import type { TranslationNote } from '../translate/notes.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import { logKeyEvent } from '../upstream/key-events.js';
import {
  describeFailedAttempt,
  type OpenWithFallbacksResult,
  openWithFallbacks,
} from '../upstream/open-with-fallbacks.js';
import type { PayloadBatch } from '../upstream/sse-reader.js';
import { TurnUsage } from '../usage/turn-usage.js';
import { transportOf, type UsageDialect, type UsageTransport } from '../usage/types.js';
import type { AppDependencies } from './dependencies.js';
import { endWithHttpError } from './failure-to-http.js';
import type { RelayEnv } from './relay-env.js';
import type { RequestLabels } from './request-labels.js';
import { type TurnEnding, TurnLifecycle, type TurnLifecycleOptions } from './turn-lifecycle.js';
import {
  collectTurn,
  createTurnResponse,
  type StreamEvent,
  type TurnObserver,
  TurnProducer,
  type TurnStreamOptions,
  type TurnTranslator,
} from './turn-stream.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** The path each dialect is served on: the route label of its turns in the metrics. */
const DIALECT_PATHS: Record<UsageDialect, string> = {
  responses: '/v1/responses',
  messages: '/v1/messages',
  chat: '/v1/chat/completions',
};

/** Model names are metric labels: bounded in length (a client chooses them). */
const MAX_MODEL_LABEL = 100;

/** The metric labels and the logger of a turn for `model` on `route`; `log` is the request's logger. */
export function turnLabels(log: Logger, route: ResolvedRoute, model: string): { labels: RequestLabels; log: Logger } {
  const labels = { provider: route.provider.name, model: model.slice(0, MAX_MODEL_LABEL) };
  return { labels, log: log.child({ provider: route.provider.name, model, upstreamModel: route.upstreamModel }) };
}

/** turnLabels for an HTTP request, with the labels set on the request. */
export function routeLabels(
  context: Context<RelayEnv>,
  route: ResolvedRoute,
  model: string,
): { labels: RequestLabels; log: Logger } {
  const routed = turnLabels(context.get('log'), route, model);
  context.set('labels', routed.labels);
  return routed;
}

export interface TurnStart extends Pick<TurnLifecycleOptions, 'labels' | 'log' | 'startedAt' | 'content'> {
  /** The API the client speaks: the metrics' route label and the ledger's transport. */
  dialect: UsageDialect;
  streamed: boolean;
  /** The ledger's transport when it is not the dialect's (a WebSocket). */
  transport?: UsageTransport;
  /** The primary route (a fallback that answers is recorded later). */
  route: ResolvedRoute;
}

/** Who asked for a turn: an HTTP request, or a message on a WebSocket. */
export interface TurnOrigin {
  requestId: string;
  userAgent: string | undefined;
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal;
  /** Called with the turn once it has started. */
  onTurn?: (turn: TurnLifecycle) => void;
}

/** The origin of a turn asked for by an HTTP request. */
export function requestOrigin(context: Context<RelayEnv>): TurnOrigin {
  return {
    requestId: context.get('requestId'),
    userAgent: context.req.header('user-agent'),
    clientSignal: context.req.raw.signal,
    onTurn: (turn) => context.set('turn', turn),
  };
}

/** Starts the turn's lifecycle (slot, timeout, metrics, log line) and usage record, and records the turn on the request. */
export function startTurn(
  context: Context<RelayEnv>,
  deps: AppDependencies,
  options: TurnStart,
): { turn: TurnLifecycle; usage: TurnUsage } {
  return startTurnFor(deps, requestOrigin(context), options);
}

/** startTurn for any origin. */
export function startTurnFor(
  deps: AppDependencies,
  origin: TurnOrigin,
  options: TurnStart,
): { turn: TurnLifecycle; usage: TurnUsage } {
  const { dialect, streamed, route, transport, ...lifecycle } = options;
  const usage = new TurnUsage(deps.usage, {
    key: origin.requestId,
    startedAt: options.startedAt,
    userAgent: origin.userAgent,
    transport: transport ?? transportOf(dialect, streamed),
    provider: route.provider.name,
    requestedModel: options.labels.model,
    upstreamModel: route.upstreamModel,
    prices: route.provider.profile.prices,
  });
  const turn = new TurnLifecycle({
    ...lifecycle,
    route: DIALECT_PATHS[dialect],
    usage,
    metrics: deps.metrics,
    limiter: deps.limiter,
    registry: deps.turns,
    now: deps.now,
    totalTimeoutMs: deps.timeouts.totalMs,
    clientSignal: origin.clientSignal,
  });
  origin.onTurn?.(turn);
  return { turn, usage };
}

/** The upstream that answered (or the failure), and the logger that names it. */
export interface OpenedTurn<Prepared> {
  opened: OpenWithFallbacksResult<Prepared>;
  /** The turn's logger, naming the fallback that served it when one did. */
  servedLog: Logger;
}

/**
 * Waits for an upstream slot, then opens the upstream stream with retries and
 * fallbacks (each route gets a request translated for its own provider),
 * counting them and the route that served for the usage record. A total
 * timeout or a shutdown that stops the turn first becomes a failure of the
 * primary route, reported like any other.
 */
export async function openTurnUpstream<
  Prepared extends { body: ChatRequest; notes?: readonly TranslationNote[] },
>(options: {
  deps: AppDependencies;
  turn: TurnLifecycle;
  usage: TurnUsage;
  route: ResolvedRoute;
  /** The request for the primary route, already built. */
  primary: Prepared;
  prepare: (route: ResolvedRoute) => Prepared;
  log: Logger;
}): Promise<OpenedTurn<Prepared>> {
  const { deps, turn, usage, route, primary, log } = options;
  let opened: OpenWithFallbacksResult<Prepared>;
  try {
    await turn.acquireSlot();
    // Retries and fallbacks happen here, before any output reached the client.
    opened = await openWithFallbacks({
      dispatcher: deps.dispatcher,
      route,
      prepare: (candidate) => (candidate === route ? primary : options.prepare(candidate)),
      signal: turn.signal,
      timeouts: deps.timeouts,
      retryPolicy: deps.retryPolicy,
      now: deps.now,
      onFailedAttempt: (attempt) => {
        if (attempt.next === 'retry') {
          deps.metrics.retries.inc({ provider: attempt.route.provider.name });
          usage.noteRetry();
        }
        if (attempt.next === 'fallback') usage.noteFallback();
        log.warn(describeFailedAttempt(attempt), 'upstream attempt failed');
      },
      onKeyEvent: (candidate, event) => logKeyEvent(log, candidate.provider.name, event),
    });
  } catch (error) {
    // The total timeout or a shutdown stopped the turn before the upstream answered.
    const cutOff = turn.cutOffReason;
    if (cutOff === undefined) throw error;
    opened = { ok: false, route, prepared: primary, failure: cutOff.failure };
  }
  const served = opened.route;
  usage.servedBy(served.provider.name, served.upstreamModel, served.provider.profile.prices);
  const servedLog =
    served === route ? log : log.child({ servedBy: served.provider.name, servedModel: served.upstreamModel });
  for (const note of opened.prepared.notes ?? []) servedLog[note.level](note.message);
  if (opened.ok) turn.upstreamAnswered();
  return { opened, servedLog };
}

/**
 * Tells `onFirst` when the first output event is emitted (`isOutput` says
 * which events are output in the client's dialect), and passes every event
 * on to `inner`.
 */
export function watchFirstOutput<Event extends StreamEvent>(
  inner: TurnObserver<Event> | undefined,
  isOutput: (event: Event) => boolean,
  onFirst: () => void,
): TurnObserver<Event> {
  let seen = false;
  return {
    events(events) {
      if (!seen && events.some(isOutput)) {
        seen = true;
        onFirst();
      }
      inner?.events(events);
    },
    end(status) {
      inner?.end(status);
    },
  };
}

/** A started turn's stream, before what every transport adds: how to stop it and how often to heartbeat. */
export type StartedStream = Pick<TurnStreamOptions, 'translator' | 'batches' | 'encoder' | 'providerName'> & {
  onEnd: (ending: TurnEnding) => void | Promise<void>;
};

/** The producer of a started turn's text; `first` (the opening events) is handed out before any upstream data. */
export function produceTurn(
  deps: AppDependencies,
  turn: TurnLifecycle,
  clientSignal: AbortSignal,
  options: StartedStream,
  first: string,
): TurnProducer {
  return new TurnProducer(
    {
      ...options,
      abortUpstream: () => turn.stopUpstream(),
      clientGone: () => clientSignal.aborted,
      heartbeatMs: deps.heartbeatMs,
    },
    first,
  );
}

/** The streamed HTTP response of a turn; `first` (the opening events) goes out at once. */
export function streamTurn(
  context: Context<RelayEnv>,
  deps: AppDependencies,
  turn: TurnLifecycle,
  options: StartedStream,
  first: string,
): Response {
  return turnResponse(produceTurn(deps, turn, context.req.raw.signal, options, first), context.get('requestId'));
}

/**
 * The answer of a dialect whose response starts only once the upstream has
 * answered (Messages, Chat Completions): a refusal is the HTTP error it
 * becomes; then the whole answer (`whole`, read once the turn is collected)
 * or the stream.
 */
export async function answerOpenedTurn<Event extends StreamEvent>(
  context: Context<RelayEnv>,
  deps: AppDependencies,
  turn: TurnLifecycle,
  options: {
    opened: { ok: true; batches: AsyncGenerator<PayloadBatch> } | { ok: false; failure: UpstreamFailure };
    translator: TurnTranslator<Event>;
    encoder: { encode(events: readonly Event[]): string };
    observer: TurnObserver<Event>;
    providerName: string;
    streamed: boolean;
    whole: () => unknown;
  },
): Promise<Response> {
  const { opened, translator, encoder, observer, providerName } = options;
  const endTurn = (ending: TurnEnding) => turn.end(ending);
  if (!opened.ok) throw endWithHttpError(endTurn, opened.failure);
  if (!options.streamed) {
    const outcome = await collectTurn({ translator, batches: opened.batches, providerName, observer });
    if (outcome.status === 'failed' && outcome.failure) throw endWithHttpError(endTurn, outcome.failure);
    endTurn(outcome);
    return context.json(options.whole());
  }
  const stream = { translator, batches: opened.batches, encoder, providerName, onEnd: endTurn };
  return streamTurn(context, deps, turn, stream, encoder.encode(translator.start()));
}

/**
 * A streamed turn as an SSE response. It carries the request id already: the
 * request-id middleware would otherwise rebuild the finished Response to add
 * it (about 0.1 ms per turn, docs/benchmarks.md, step 13).
 */
export function turnResponse(producer: TurnProducer, requestId: string): Response {
  return createTurnResponse(producer, { ...SSE_HEADERS, 'x-request-id': requestId });
}

/** Whatever went wrong before the stream began: the turn gives its slot back, is logged once, and the error is rethrown. */
export function failTurn(turn: TurnLifecycle, error: unknown): never {
  turn.end(turn.clientGone ? { status: 'aborted' } : { status: 'failed', httpStatus: toErrorBody(error).status });
  if (turn.clientGone && !(error instanceof RelayError)) {
    throw new RelayError('The client closed the connection before the response started.', {
      status: 499,
      type: 'invalid_request_error',
      code: 'client_closed_request',
    });
  }
  throw error;
}
