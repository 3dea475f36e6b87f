/**
 * POST /v1/responses: validate, route, translate, call the upstream (with
 * retries and fallbacks before the first byte) and stream the translated
 * events back, or return the whole Response object.
 */
import type { Context } from 'hono';
import { RelayError } from '../../errors.js';
import type { ResolvedRoute } from '../../routing/router.js';
import { buildChatRequest } from '../../translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../translate/request/parse-request.js';
import { buildResponseEcho } from '../../translate/stream/response-object.js';
import { ResponseStreamTranslator } from '../../translate/stream/response-stream.js';
import { isClientFailure, type UpstreamFailure } from '../../translate/upstream-errors.js';
import { classifyForRoute } from '../../upstream/open-stream.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import { SseEncoder } from '../sse-encoding.js';
import { failTurn, openTurnUpstream, routeLabels, SSE_HEADERS, startTurn, streamTurn } from '../turn-handling.js';
import type { TurnEnding } from '../turn-lifecycle.js';
import { collectTurn, createTurnResponse, observingEncoder, type ResponseObserver, type TurnStreamOptions } from '../turn-stream.js';

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const { request, notes, instructionItems } = parseResponsesRequest(body);
  const route = deps.router.resolve(request.model);
  const { labels, log } = routeLabels(context, route, request.model);
  // With previous_response_id: the stored conversation, then the new input.
  const input = await deps.history.resolveInput(request, instructionItems, log);
  const resolved = { ...request, input };
  const primary = buildChatRequest(resolved, route.provider.profile, route.upstreamModel, [...notes]);

  // The translator is built once the upstream that answers is known; until then the turn has no output.
  let translator: ResponseStreamTranslator | undefined;
  const turn = startTurn(context, deps, {
    labels,
    log,
    startedAt,
    response: () => translator?.response,
    ...(deps.logContent ? { content: () => ({ instructions: request.instructions, input: request.input, output: translator?.response.output }) } : {}),
  });

  try {
    // Each route gets a request translated for its own provider.
    const prepare = (candidate: ResolvedRoute) => buildChatRequest(resolved, candidate.provider.profile, candidate.upstreamModel, [...notes]);
    const opened = await openTurnUpstream({ deps, turn, route, primary, prepare, log });

    const served = opened.route;
    const built = opened.prepared;
    const profile = served.provider.profile;
    const servedLog = served === route ? log : log.child({ servedBy: served.provider.name, servedModel: served.upstreamModel });
    for (const note of built.notes) servedLog[note.level](note.message);
    const echo = buildResponseEcho(request);
    const current = new ResponseStreamTranslator({
      responseId: deps.createId('resp'),
      createdAt: Math.floor(startedAt / 1000),
      createId: deps.createId,
      now: () => Math.floor(deps.now() / 1000),
      echo,
      names: built.names,
      hooks: profile.hooks,
      classifyStreamError: (errorBody) => classifyForRoute(served, undefined, errorBody),
      redactMessage: deps.redact,
    });
    translator = current;
    const endTurn = (ending: TurnEnding) => {
      // Before the last event reaches the client, so a continuation never races the write.
      deps.history.record(request, instructionItems, current.response, servedLog);
      turn.end(ending);
    };
    const observer = deps.observeResponse?.();
    const sseEncoder = new SseEncoder(echo);
    const encoder = observer ? observingEncoder(sseEncoder, observer) : sseEncoder;

    if (!opened.ok) {
      if (isClientFailure(opened.failure) || request.stream !== true) throw endWithHttpError(endTurn, opened.failure);
      endTurn({ status: 'failed', failure: opened.failure });
      const events = encoder.encode(current.start()) + encoder.encode(current.fail(opened.failure));
      return createTurnResponse(finishedStreamOptions(current, encoder, profile.displayName, observer), events, SSE_HEADERS);
    }
    turn.upstreamAnswered();

    if (request.stream !== true) {
      const outcome = await collectTurn({ translator: current, batches: opened.batches, providerName: profile.displayName, observer });
      if (outcome.status === 'failed' && outcome.failure) throw endWithHttpError(endTurn, outcome.failure);
      endTurn(outcome);
      return context.json(current.response);
    }

    const onEnd = (outcome: TurnEnding) => {
      endTurn(outcome);
      observer?.end(outcome.status);
    };
    return streamTurn(context, deps, turn, { translator: current, batches: opened.batches, encoder, providerName: profile.displayName, onEnd }, encoder.encode(current.start()));
  } catch (error) {
    return failTurn(turn, error);
  }
}

/** Ends the turn as the HTTP error its failure becomes, and returns that error to throw. */
export function endWithHttpError(endTurn: (ending: TurnEnding) => void, failure: UpstreamFailure): RelayError {
  const error = failureToHttpError(failure);
  endTurn({ status: 'failed', failure, httpStatus: error.status });
  return error;
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
