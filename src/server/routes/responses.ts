/**
 * POST /v1/responses: validate, route, translate, call the upstream (with
 * retries and fallbacks before any output) and stream the translated events
 * back, or return the whole Response object. A streamed response starts at
 * once — headers and `response.created` — and heartbeats while the upstream
 * is awaited, so a slow first byte is never a silent wait; what goes wrong
 * after that start ends as `response.failed`.
 */
import type { Context } from 'hono';
import { RelayError, toErrorBody } from '../../errors.js';
import { buildChatRequest, type BuiltChatRequest } from '../../translate/request/build-chat-request.js';
import { parseResponsesRequest, type ParsedRequest } from '../../translate/request/parse-request.js';
import type { InputItem } from '../../translate/request/responses-schema.js';
import { buildResponseEcho, type ResponseEcho, type ResponseObject } from '../../translate/stream/response-object.js';
import { ResponseStreamTranslator, type UpstreamOptions } from '../../translate/stream/response-stream.js';
import type { UpstreamFailure } from '../../translate/upstream-errors.js';
import type { ResolvedRoute } from '../../routing/router.js';
import { failureFromNetworkError, UpstreamFailedError } from '../../upstream/network-errors.js';
import { logKeyEvent } from '../../upstream/key-events.js';
import { classifyForRoute } from '../../upstream/open-stream.js';
import { describeFailedAttempt, openWithFallbacks, type OpenWithFallbacksResult } from '../../upstream/open-with-fallbacks.js';
import { TurnUsage } from '../../usage/turn-usage.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv, RequestLabels } from '../relay-env.js';
import { SseEncoder } from '../sse-encoding.js';
import { TurnLifecycle, type TurnEnding } from '../turn-lifecycle.js';
import type { Logger } from '../../log.js';
import type { UsageRecord } from '../../usage/types.js';
import { collectTurn, createTurnResponse, observingEncoder, type ResponseObserver, type TurnStreamOptions } from '../turn-stream.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** Model names are metric labels: bounded in length (a client chooses them). */
const MAX_MODEL_LABEL = 100;

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  // Everything the relay can refuse on its own is checked here, before any byte is sent: an HTTP error.
  const body = await readJsonBody(context);
  const { request, notes, instructionItems } = parseResponsesRequest(body);
  const route = deps.router.resolve(request.model);
  const labels = { provider: route.provider.name, model: request.model.slice(0, MAX_MODEL_LABEL) };
  context.set('labels', labels);
  const log = context.get('log').child({ provider: route.provider.name, model: request.model, upstreamModel: route.upstreamModel });
  // With previous_response_id: the stored conversation, then the new input.
  const input = await deps.history.resolveInput(request, instructionItems, log);
  return runTurn(
    deps,
    {
      parsed: { request, notes, instructionItems },
      input,
      route,
      labels,
      log,
      requestId: context.get('requestId'),
      userAgent: context.req.header('user-agent'),
      clientSignal: context.req.raw.signal,
      transport: request.stream === true ? 'sse' : 'json',
      onTurn: (turn) => context.set('turn', turn),
    },
    {
      createEncoder: (echo) => new SseEncoder(echo),
      deliver: (options, first) => createTurnResponse(options, first, SSE_HEADERS),
      whole: (response) => context.json(response),
    },
  );
}

/** One turn, parsed and with its input resolved (the stored or connection history before the new items). */
export interface PreparedTurn {
  parsed: ParsedRequest;
  /** The whole input to translate. */
  input: InputItem[];
  route: ResolvedRoute;
  labels: RequestLabels;
  log: Logger;
  requestId: string;
  userAgent: string | undefined;
  /** Aborted when the client goes away. */
  clientSignal: AbortSignal;
  transport: UsageRecord['transport'];
  onTurn?: (turn: TurnLifecycle) => void;
}

/** Where a turn's events go: SSE on HTTP, frames on a WebSocket. */
export interface TurnSink<Delivered> {
  /** Serialises the events of one response. */
  createEncoder: (echo: ResponseEcho) => Pick<SseEncoder, 'encode'>;
  /** Takes a streamed turn once its opening events are encoded (`first`). */
  deliver: (options: TurnStreamOptions, first: string) => Delivered;
  /** Answers a whole response (`stream: false`). */
  whole: (response: ResponseObject) => Delivered;
}

/**
 * Runs one turn: upstream slot, retries and fallbacks, translation, the store
 * write. Both transports call it, so a turn behaves the same on either.
 */
export async function runTurn<Delivered>(deps: AppDependencies, prepared: PreparedTurn, sink: TurnSink<Delivered>): Promise<Delivered> {
  const startedAt = deps.now();
  const { parsed, input, route, labels, log, clientSignal } = prepared;
  const { request, notes, instructionItems } = parsed;
  const resolved = { ...request, input };
  const primary = buildChatRequest(resolved, route.provider.profile, route.upstreamModel, [...notes]);

  const usage = new TurnUsage(deps.usage, {
    key: prepared.requestId,
    startedAt,
    userAgent: prepared.userAgent,
    transport: prepared.transport,
    provider: route.provider.name,
    requestedModel: labels.model,
    upstreamModel: route.upstreamModel,
    prices: route.provider.profile.prices,
  });
  // A streamed response is started at once; a whole one once the upstream that answers is known.
  let translator: ResponseStreamTranslator | undefined;
  const turn = new TurnLifecycle({
    labels,
    log,
    metrics: deps.metrics,
    limiter: deps.limiter,
    registry: deps.turns,
    now: deps.now,
    startedAt,
    totalTimeoutMs: deps.timeouts.totalMs,
    clientSignal,
    response: () => translator?.response,
    usage,
    ...(deps.logContent ? { content: () => ({ instructions: request.instructions, input: request.input, output: translator?.response.output }) } : {}),
  });
  prepared.onTurn?.(turn);

  const echo = buildResponseEcho(request);
  let servedLog = log;
  const createTranslator = (served: ResolvedRoute, built: BuiltChatRequest) =>
    new ResponseStreamTranslator({
      responseId: deps.createId('resp'),
      createdAt: Math.floor(startedAt / 1000),
      createId: deps.createId,
      now: () => Math.floor(deps.now() / 1000),
      echo,
      ...upstreamOptions(served, built),
      redactMessage: deps.redact,
      onNote: (note) => servedLog[note.level](note.message),
    });
  const observer = watchFirstOutput(deps.observeResponse?.(), () => usage.firstOutput(deps.now()));
  const encoder = observingEncoder(sink.createEncoder(echo), observer);
  const endTurn =
    (current: ResponseStreamTranslator) =>
    (ending: TurnEnding): Promise<void> => {
      // The last event waits for this write, so the next turn finds the response on any relay.
      const written = deps.history.record(request, instructionItems, current.response, servedLog);
      turn.end(ending);
      return written;
    };

  /** Retries and fallbacks, before any output; each route gets a request translated for its own provider. */
  const open = async (): Promise<OpenWithFallbacksResult<BuiltChatRequest>> => {
    let opened: OpenWithFallbacksResult<BuiltChatRequest>;
    try {
      await turn.acquireSlot();
      opened = await openWithFallbacks({
        dispatcher: deps.dispatcher,
        route,
        prepare: (candidate) => (candidate === route ? primary : buildChatRequest(resolved, candidate.provider.profile, candidate.upstreamModel, [...notes])),
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
    usage.servedBy(opened.route.provider.name, opened.route.upstreamModel, opened.route.provider.profile.prices);
    if (opened.route !== route) servedLog = log.child({ servedBy: opened.route.provider.name, servedModel: opened.route.upstreamModel });
    for (const note of opened.prepared.notes) servedLog[note.level](note.message);
    if (opened.ok) turn.upstreamAnswered();
    return opened;
  };

  try {
    if (request.stream === true) {
      const current = createTranslator(route, primary);
      translator = current;
      const onEnd = endTurn(current);
      // The upstream is called now, not when the client first reads; the stream waits for it.
      const opening = open();
      opening.catch(() => undefined);
      return sink.deliver(
        {
          translator: current,
          batches: streamFromUpstream(opening, current, route),
          encoder,
          providerName: route.provider.profile.displayName,
          abortUpstream: () => turn.stopUpstream(),
          clientGone: () => clientSignal.aborted,
          heartbeatMs: deps.heartbeatMs,
          onEnd: (outcome) => {
            const written = onEnd(outcome);
            observer?.end(outcome.status);
            return written;
          },
        },
        // Headers and the opening events go out now: heartbeats follow while the upstream is awaited.
        encoder.encode(current.start()),
      );
    }

    const opened = await open();
    const current = createTranslator(opened.route, opened.prepared);
    translator = current;
    if (!opened.ok) throw endWithHttpError(endTurn(current), opened.failure);
    const outcome = await collectTurn({ translator: current, batches: opened.batches, providerName: opened.route.provider.profile.displayName, observer });
    if (outcome.status === 'failed' && outcome.failure) throw endWithHttpError(endTurn(current), outcome.failure);
    await endTurn(current)(outcome);
    return sink.whole(current.response);
  } catch (error) {
    // Whatever went wrong, the turn gives its slot back and is logged once.
    turn.end(turn.clientGone ? { status: 'aborted' } : { status: 'failed', httpStatus: toErrorBody(error).status });
    if (turn.clientGone && !(error instanceof RelayError)) {
      throw new RelayError('The client closed the connection before the response started.', { status: 499, type: 'invalid_request_error', code: 'client_closed_request' });
    }
    throw error;
  }
}

/** Tells `onFirst` when the first output delta is emitted, and passes every event on to `inner`. */
function watchFirstOutput(inner: ResponseObserver | undefined, onFirst: () => void): ResponseObserver {
  let seen = false;
  return {
    events(events) {
      if (!seen && events.some((event) => event.type.endsWith('.delta'))) {
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

/** The parts of the translator that depend on the upstream that answers. */
function upstreamOptions(served: ResolvedRoute, built: BuiltChatRequest): UpstreamOptions {
  return {
    names: built.names,
    hooks: served.provider.profile.hooks,
    classifyStreamError: (errorBody) => classifyForRoute(served, undefined, errorBody),
  };
}

/**
 * The upstream's batches for a response that has already started: waits for
 * the upstream (retries, fallbacks), then reads it. A failure before any
 * output — the upstream refused, every attempt failed, the queue was full —
 * is thrown as the failure it is, and ends the stream as `response.failed`.
 */
async function* streamFromUpstream(
  opening: Promise<OpenWithFallbacksResult<BuiltChatRequest>>,
  translator: ResponseStreamTranslator,
  route: ResolvedRoute,
): AsyncGenerator<string[]> {
  let opened: OpenWithFallbacksResult<BuiltChatRequest>;
  try {
    opened = await opening;
  } catch (error) {
    // The queue for an upstream slot was full (an HTTP 503 had the response not started).
    if (error instanceof RelayError) throw new UpstreamFailedError({ code: error.code === 'server_is_overloaded' ? 'server_is_overloaded' : 'server_error', message: error.message });
    throw error;
  }
  if (!opened.ok) throw new UpstreamFailedError(opened.failure);
  if (opened.route !== route) translator.useUpstream(upstreamOptions(opened.route, opened.prepared));
  const providerName = opened.route.provider.profile.displayName;
  try {
    yield* opened.batches;
  } catch (error) {
    // Named after the provider that answered, which may be a fallback.
    throw new UpstreamFailedError(failureFromNetworkError(error, providerName));
  }
}

/** Ends the turn as the HTTP error its failure becomes, and returns that error to throw. */
function endWithHttpError(endTurn: (ending: TurnEnding) => void, failure: UpstreamFailure): RelayError {
  const error = failureToHttpError(failure);
  endTurn({ status: 'failed', failure, httpStatus: error.status });
  return error;
}

/** The HTTP error for a failure reported outside a stream. */
export function failureToHttpError(failure: UpstreamFailure): RelayError {
  switch (failure.code) {
    case 'context_length_exceeded':
      return new RelayError(failure.message, { status: 400, type: 'invalid_request_error', code: failure.code });
    case 'rate_limit_exceeded':
      return new RelayError(failure.message, {
        status: 429,
        type: 'rate_limit_error',
        code: failure.code,
        ...(failure.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.ceil(failure.retryAfterSeconds) } : {}),
      });
    case 'insufficient_quota':
      return new RelayError(failure.message, { status: 429, type: 'rate_limit_error', code: failure.code });
    case 'server_is_overloaded':
      return new RelayError(failure.message, { status: 503, type: 'server_error', code: failure.code });
    case 'server_error':
      return new RelayError(failure.message, { status: 502, type: 'upstream_error', code: failure.code });
    case 'authentication':
      return new RelayError(failure.message, { status: failure.status ?? 401, type: 'authentication_error', code: 'upstream_authentication_failed' });
    case 'permission':
      return new RelayError(failure.message, { status: failure.status ?? 403, type: 'permission_error', code: 'upstream_permission_denied' });
    case 'not_found':
      return new RelayError(failure.message, { status: 404, type: 'invalid_request_error', code: 'upstream_not_found' });
    case 'invalid_request':
      return new RelayError(failure.message, { status: 400, type: 'invalid_request_error', code: 'upstream_rejected_request' });
    default: {
      const exhaustive: never = failure.code;
      return new RelayError(String(exhaustive), { status: 502, type: 'upstream_error' });
    }
  }
}
