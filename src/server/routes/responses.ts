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
import { classifyForRoute, openUpstreamStream } from '../../upstream/open-stream.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import { SseEncoder } from '../sse-encoding.js';
import { collectTurn, createTurnResponse, type TurnOutcome } from '../turn-stream.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const { request, notes } = parseResponsesRequest(body);
  const route = deps.router.resolve(request.model);
  const profile = route.provider.profile;
  const built = buildChatRequest(request, profile, route.upstreamModel, notes);
  const log = deps.logger.child({ provider: route.provider.name, model: request.model, upstreamModel: route.upstreamModel });
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
    classifyStreamError: (errorBody) => classifyForRoute(route, undefined, errorBody),
  });

  const upstreamAbort = new AbortController();
  const clientSignal = context.req.raw.signal;
  const onClientAbort = () => upstreamAbort.abort(new Error('client disconnected'));
  clientSignal.addEventListener('abort', onClientAbort, { once: true });

  const finishLog = (outcome: TurnOutcome) => {
    clientSignal.removeEventListener('abort', onClientAbort);
    const usage = translator.response.usage;
    log.info(
      {
        responseId: translator.response.id,
        status: outcome.status,
        ...(outcome.failure ? { failure: outcome.failure.code, failureMessage: outcome.failure.message } : {}),
        ms: deps.now() - startedAt,
        ...(usage ? { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } : {}),
      },
      'response finished',
    );
  };

  const opening = openUpstreamStream(deps.dispatcher, route, built.body, upstreamAbort.signal, deps.timeouts, deps.now());
  // The opening events (created, in_progress) are encoded while the upstream works on the request.
  const encoder = new SseEncoder(echo);
  const openingEvents = request.stream === true ? encoder.encode(translator.start()) : '';
  const opened = await opening;
  if (!opened.ok) {
    finishLog({ status: 'failed', failure: opened.failure });
    if (isClientFailure(opened.failure) || request.stream !== true) throw failureToHttpError(opened.failure);
    const events = openingEvents + encoder.encode(translator.fail(opened.failure));
    return createTurnResponse(finishedStreamOptions(translator, encoder, profile.displayName), events, SSE_HEADERS);
  }

  if (request.stream !== true) {
    const outcome = await collectTurn({ translator, batches: opened.batches, providerName: profile.displayName });
    finishLog(outcome);
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
      onEnd: finishLog,
    },
    openingEvents,
    SSE_HEADERS,
  );
}

/** Options for a stream whose events are all known already (a failure before the first byte). */
function finishedStreamOptions(translator: ResponseStreamTranslator, encoder: SseEncoder, providerName: string) {
  return {
    translator,
    encoder,
    batches: (async function* empty(): AsyncGenerator<string[]> {})(),
    providerName,
    abortUpstream: () => undefined,
    clientGone: () => false,
    heartbeatMs: 60_000,
    onEnd: () => undefined,
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
