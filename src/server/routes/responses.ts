/**
 * POST /v1/responses: validate, route, translate, call the upstream and
 * stream the translated events back (or return the whole Response object).
 */
import type { Context } from 'hono';
import { RelayError } from '../../errors.js';
import { buildChatRequest } from '../../translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../translate/request/parse-request.js';
import { buildResponseEcho } from '../../translate/stream/response-object.js';
import { ResponseStreamTranslator } from '../../translate/stream/response-stream.js';
import { isClientFailure, type UpstreamFailure } from '../../translate/upstream-errors.js';
import { classifyForRoute } from '../../upstream/open-stream.js';
import { describeFailedAttempt, openWithFallbacks } from '../../upstream/open-with-fallbacks.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import { SseEncoder } from '../sse-encoding.js';
import { collectTurn, createTurnResponse, observingEncoder, type ResponseObserver, type TurnOutcome, type TurnStreamOptions } from '../turn-stream.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const { request, notes, instructionItems } = parseResponsesRequest(body);
  // With previous_response_id: the stored conversation, then the new input.
  const input = await deps.history.resolveInput(request, instructionItems);
  const route = deps.router.resolve(request.model);
  const resolved = { ...request, input };
  const primary = buildChatRequest(resolved, route.provider.profile, route.upstreamModel, [...notes]);
  const log = deps.logger.child({ provider: route.provider.name, model: request.model, upstreamModel: route.upstreamModel });

  const upstreamAbort = new AbortController();
  const clientSignal = context.req.raw.signal;
  const onClientAbort = () => upstreamAbort.abort(new Error('client disconnected'));
  clientSignal.addEventListener('abort', onClientAbort, { once: true });

  // Retries and fallbacks happen here, before any byte reached the client; each
  // route gets a request translated for its own provider.
  const opened = await openWithFallbacks({
    dispatcher: deps.dispatcher,
    route,
    prepare: (candidate) => (candidate === route ? primary : buildChatRequest(resolved, candidate.provider.profile, candidate.upstreamModel, [...notes])),
    signal: upstreamAbort.signal,
    timeouts: deps.timeouts,
    retryPolicy: deps.retryPolicy,
    now: deps.now,
    onFailedAttempt: (attempt) => log.warn(describeFailedAttempt(attempt), 'upstream attempt failed'),
  });
  const served = opened.route;
  const built = opened.prepared;
  const profile = served.provider.profile;
  for (const note of built.notes) log[note.level](note.message);

  const rawTools = Array.isArray((body as { tools?: unknown }).tools) ? ((body as { tools: unknown[] }).tools) : [];
  const echo = buildResponseEcho(request, rawTools);
  const translator = new ResponseStreamTranslator({
    responseId: deps.createId('resp'),
    createdAt: Math.floor(startedAt / 1000),
    createId: deps.createId,
    now: () => Math.floor(deps.now() / 1000),
    echo,
    names: built.names,
    hooks: profile.hooks,
    classifyStreamError: (errorBody) => classifyForRoute(served, undefined, errorBody),
  });

  const endTurn = (outcome: TurnOutcome) => {
    clientSignal.removeEventListener('abort', onClientAbort);
    // Before the last event reaches the client, so a continuation never races the write.
    deps.history.record(request, instructionItems, translator.response);
    const usage = translator.response.usage;
    log.info(
      {
        responseId: translator.response.id,
        status: outcome.status,
        ...(served !== route ? { servedBy: served.provider.name, servedModel: served.upstreamModel } : {}),
        ...(outcome.failure ? { failure: outcome.failure.code, failureMessage: outcome.failure.message } : {}),
        ms: deps.now() - startedAt,
        ...(usage ? { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } : {}),
      },
      'response finished',
    );
  };

  const observer = deps.observeResponse?.();
  const sseEncoder = new SseEncoder(echo);
  const encoder = observer ? observingEncoder(sseEncoder, observer) : sseEncoder;

  if (!opened.ok) {
    endTurn({ status: 'failed', failure: opened.failure });
    if (isClientFailure(opened.failure) || request.stream !== true) throw failureToHttpError(opened.failure);
    const events = encoder.encode(translator.start()) + encoder.encode(translator.fail(opened.failure));
    return createTurnResponse(finishedStreamOptions(translator, encoder, profile.displayName, observer), events, SSE_HEADERS);
  }

  if (request.stream !== true) {
    const outcome = await collectTurn({ translator, batches: opened.batches, providerName: profile.displayName, observer });
    endTurn(outcome);
    if (outcome.status === 'failed' && outcome.failure) throw failureToHttpError(outcome.failure);
    return context.json(translator.response);
  }

  return createTurnResponse(
    {
      translator,
      batches: opened.batches,
      encoder,
      providerName: profile.displayName,
      abortUpstream: () => upstreamAbort.abort(new Error('response ended')),
      clientGone: () => clientSignal.aborted,
      heartbeatMs: deps.heartbeatMs,
      onEnd: (outcome) => {
        endTurn(outcome);
        observer?.end(outcome.status);
      },
    },
    encoder.encode(translator.start()),
    SSE_HEADERS,
  );
}

/** Options for a stream whose events are all known already (a failure before the first byte). */
function finishedStreamOptions(
  translator: ResponseStreamTranslator,
  encoder: TurnStreamOptions['encoder'],
  providerName: string,
  observer: ResponseObserver | undefined,
): TurnStreamOptions {
  return {
    translator,
    encoder,
    batches: (async function* empty(): AsyncGenerator<string[]> {})(),
    providerName,
    abortUpstream: () => undefined,
    clientGone: () => false,
    heartbeatMs: 60_000,
    onEnd: (outcome) => observer?.end(outcome.status),
  };
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
