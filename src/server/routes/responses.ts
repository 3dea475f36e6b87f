/**
 * POST /v1/responses: validate, route, translate, call the upstream (with
 * retries and fallbacks before any output) and stream the translated events
 * back, or return the whole Response object. A streamed response starts at
 * once — headers and `response.created` — and heartbeats while the upstream
 * is awaited, so a slow first byte is never a silent wait; what goes wrong
 * after that start ends as `response.failed`. The steps every dialect shares
 * are in turn-handling.ts.
 */
import type { Context } from 'hono';
import { RelayError } from '../../errors.js';
import { buildChatRequest, type BuiltChatRequest, type TranslationContinuation } from '../../translate/request/build-chat-request.js';
import type { InputTranslation } from '../../translate/request/incremental-input.js';
import { parseResponsesRequest, type ParsedRequest } from '../../translate/request/parse-request.js';
import type { InputItem } from '../../translate/request/responses-schema.js';
import { buildResponseEcho, type ResponseEcho, type ResponseObject } from '../../translate/stream/response-object.js';
import { ResponseStreamTranslator, type ResponseStreamEvent, type UpstreamOptions } from '../../translate/stream/response-stream.js';
import type { UpstreamFailure } from '../../translate/upstream-errors.js';
import type { ResolvedRoute } from '../../routing/router.js';
import { failureFromNetworkError, UpstreamFailedError } from '../../upstream/network-errors.js';
import { classifyForRoute } from '../../upstream/open-stream.js';
import type { OpenWithFallbacksResult } from '../../upstream/open-with-fallbacks.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import type { RequestLabels } from '../request-labels.js';
import type { Logger } from '../../log.js';
import type { UsageTransport } from '../../usage/types.js';
import { SseEncoder } from '../sse-encoding.js';
import { failTurn, openTurnUpstream, requestOrigin, routeLabels, startTurnFor, streamTurn, watchFirstOutput, type StartedStream, type TurnOrigin } from '../turn-handling.js';
import type { TurnEnding, TurnLifecycle } from '../turn-lifecycle.js';
import { collectTurn, observingEncoder, type TurnTranslator } from '../turn-stream.js';
import { expandCompactions } from '../../translate/compaction/compaction-input.js';
import { compactionRequest } from '../../translate/compaction/compaction-prompt.js';
import { CompactionStream } from '../../translate/compaction/compaction-stream.js';
import type { TranslationNote } from '../../translate/notes.js';

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  // Everything the relay can refuse on its own is checked here, before any byte is sent: an HTTP error.
  const body = await readJsonBody(context);
  const parsed = parseResponsesRequest(body);
  const { request, instructionItems } = parsed;
  const route = deps.router.resolve(request.model);
  const { labels, log } = routeLabels(context, route, request.model);
  // With previous_response_id: the stored conversation, then the new input.
  const input = await deps.history.resolveInput(request, instructionItems, log);
  return runTurn(
    deps,
    { parsed, input, route, labels, log, startedAt, origin: requestOrigin(context) },
    {
      createEncoder: (echo) => new SseEncoder(echo),
      deliver: (turn, options, first) => streamTurn(context, deps, turn, options, first),
      whole: (response) => context.json(response),
    },
  );
}

/** One turn, parsed and with its input resolved (the stored or the connection's history before the new items). */
export interface PreparedTurn {
  parsed: ParsedRequest;
  /** The whole input to translate. */
  input: InputItem[];
  route: ResolvedRoute;
  labels: RequestLabels;
  log: Logger;
  /** When the request arrived. */
  startedAt: number;
  origin: TurnOrigin;
  /** Recorded in the usage ledger; by default `sse` or `json`. */
  transport?: UsageTransport;
  /** A WebSocket chain's translation to extend; `keep` receives this turn's. */
  continuation?: TranslationContinuation & { keep: (translation: InputTranslation) => void };
}

/** Where a turn's events go: SSE on HTTP, frames on a WebSocket. */
export interface TurnSink<Delivered> {
  /** Serialises the events of one response. */
  createEncoder: (echo: ResponseEcho) => { encode(events: readonly ResponseStreamEvent[]): string };
  /** Takes a streamed turn once its opening events are encoded (`first`). */
  deliver: (turn: TurnLifecycle, options: StartedStream, first: string) => Delivered;
  /** Answers a whole response (`stream: false`). */
  whole: (response: ResponseObject) => Delivered;
}

/**
 * Runs one Responses turn: upstream slot, retries and fallbacks, translation,
 * the store write. Both transports call it, so a turn behaves the same on either.
 */
export async function runTurn<Delivered>(deps: AppDependencies, prepared: PreparedTurn, sink: TurnSink<Delivered>): Promise<Delivered> {
  const { parsed, input, route, labels, log, startedAt } = prepared;
  const { request, notes, instructionItems } = parsed;
  const compactionNotes: TranslationNote[] = [];
  const conversation = { ...request, input: [...expandCompactions(input, deps.compactionKey, compactionNotes)] };
  for (const note of compactionNotes) log[note.level](note.message);
  // A compaction turn asks the upstream for a summary and answers with one `compaction` item.
  const resolved = parsed.compactionRequested ? compactionRequest(conversation) : conversation;
  // A compaction turn's input is its prompt, not the conversation: nothing to extend or keep.
  const continuation = parsed.compactionRequested ? undefined : prepared.continuation;
  const primary = buildChatRequest(resolved, route.provider.profile, route.upstreamModel, [...notes], continuation);
  if (continuation && primary.translation) continuation.keep(primary.translation);

  // A streamed response is started at once; a whole one once the upstream that answers is known.
  let translator: TurnTranslator | undefined;
  const { turn, usage } = startTurnFor(deps, prepared.origin, {
    ...(prepared.transport ? { transport: prepared.transport } : {}),
    dialect: 'responses',
    streamed: request.stream === true,
    route,
    labels,
    log,
    startedAt,
    response: () => translator?.response,
    ...(deps.logContent ? { content: () => ({ instructions: request.instructions, input: request.input, output: translator?.response.output }) } : {}),
  });

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
  const observer = watchFirstOutput(deps.observeResponse?.(), (event) => event.type.endsWith('.delta'), () => usage.firstOutput(deps.now()));
  const encoder = observingEncoder(sink.createEncoder(echo), observer);
  const forClient = (current: ResponseStreamTranslator): TurnTranslator =>
    parsed.compactionRequested ? new CompactionStream(current, { key: deps.compactionKey, createId: deps.createId }) : current;
  const endTurn =
    (current: TurnTranslator) =>
    (ending: TurnEnding): Promise<void> => {
      // The last event waits for this write, so the next turn finds the response on any relay.
      const written = deps.history.record(request, instructionItems, current.response, servedLog);
      turn.end(ending);
      return written;
    };

  /** Retries and fallbacks, before any output; each route gets a request translated for its own provider. */
  const open = async (): Promise<OpenWithFallbacksResult<BuiltChatRequest>> => {
    const prepare = (candidate: ResolvedRoute) => buildChatRequest(resolved, candidate.provider.profile, candidate.upstreamModel, [...notes]);
    const result = await openTurnUpstream({ deps, turn, usage, route, primary, prepare, log });
    servedLog = result.servedLog;
    return result.opened;
  };

  try {
    if (request.stream === true) {
      const inner = createTranslator(route, primary);
      const current = forClient(inner);
      translator = current;
      const onEnd = endTurn(current);
      // The upstream is called now, not when the client first reads; the stream waits for it.
      const opening = open();
      opening.catch(() => undefined);
      const options = {
        translator: current,
        batches: streamFromUpstream(opening, inner, route),
        encoder,
        providerName: route.provider.profile.displayName,
        onEnd: (outcome: TurnEnding) => {
          const written = onEnd(outcome);
          observer.end(outcome.status);
          return written;
        },
      };
      // Headers and the opening events go out now: heartbeats follow while the upstream is awaited.
      return sink.deliver(turn, options, encoder.encode(current.start()));
    }

    const opened = await open();
    const current = forClient(createTranslator(opened.route, opened.prepared));
    translator = current;
    if (!opened.ok) throw endWithHttpError(endTurn(current), opened.failure);
    const outcome = await collectTurn({ translator: current, batches: opened.batches, providerName: opened.route.provider.profile.displayName, observer });
    if (outcome.status === 'failed' && outcome.failure) throw endWithHttpError(endTurn(current), outcome.failure);
    await endTurn(current)(outcome);
    return sink.whole(current.response);
  } catch (error) {
    return failTurn(turn, error);
  }
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
export function endWithHttpError(endTurn: (ending: TurnEnding) => void, failure: UpstreamFailure): RelayError {
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
