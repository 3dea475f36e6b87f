/**
 * A Responses turn: the one use-case that POST /v1/responses, POST
 * /v1/responses/compact and the Responses WebSocket call, so a turn behaves
 * the same on either transport. In order: parse the request, route its model,
 * resolve the conversation (the stored history before the new input),
 * translate it for the provider, open the upstream with retries and
 * fallbacks, stream or collect the translated events, and record the
 * response. A streamed turn starts at once — its opening events are ready
 * and heartbeats follow while the upstream is awaited — and the transport
 * writes what the producer hands out; a failure after that start ends the
 * stream as `response.failed`. Whatever goes wrong before is thrown, for the
 * transport's one error path.
 */
import type { Logger } from '../log.js';
import type { ResolvedRoute } from '../routing/router.js';
import { expandCompactions } from '../translate/compaction/compaction-input.js';
import { compactionRequest } from '../translate/compaction/compaction-prompt.js';
import { CompactionStream } from '../translate/compaction/compaction-stream.js';
import type { TranslationNote } from '../translate/notes.js';
import {
  type BuiltChatRequest,
  buildChatRequest,
  type TranslationContinuation,
} from '../translate/request/build-chat-request.js';
import type { InputTranslation } from '../translate/request/incremental-input.js';
import { type ItemReadings, type ParsedRequest, parseResponsesRequest } from '../translate/request/parse-request.js';
import type { InputItem, ResponsesRequest } from '../translate/request/responses-schema.js';
import { buildResponseEcho, type ResponseEcho, type ResponseObject } from '../translate/stream/response-object.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../translate/stream/response-stream.js';
import type { TurnUsage } from '../usage/turn-usage.js';
import type { UsageTransport } from '../usage/types.js';
import type { AppDependencies } from './dependencies.js';
import { endWithHttpError } from './failure-to-http.js';
import { answerPrewarm } from './prewarm-turn.js';
import type { RequestLabels } from './request-labels.js';
import { SseEncoder } from './sse-encoding.js';
import {
  failTurn,
  openTurnUpstream,
  produceTurn,
  startTurnFor,
  type TurnOrigin,
  turnLabels,
  watchFirstOutput,
} from './turn-handling.js';
import type { TurnEnding, TurnLifecycle } from './turn-lifecycle.js';
import { collectTurn, observingEncoder, type TurnProducer, type TurnTranslator } from './turn-stream.js';
import { streamFromUpstream, upstreamOptions } from './upstream-batches.js';

/** One turn as a transport received it. */
export interface TurnRequest {
  /** The request body (on a WebSocket, the message without its `type`). */
  body: unknown;
  origin: TurnOrigin;
  /** The request's logger; the turn adds its provider and model. */
  log: Logger;
  /** When the request arrived. */
  startedAt: number;
  /** Recorded in the usage ledger; by default `sse` or `json`. */
  transport?: UsageTransport;
  /** Overrides the request's `stream`: a WebSocket always streams, a compaction answers whole. */
  stream?: boolean;
  /** Readings of items validated before (a conversation resent over HTTP): those items are not validated again. */
  itemReadings?: ItemReadings | undefined;
  /** Changes the parsed request before it is routed (what an endpoint fixes). */
  adjust?: (parsed: ParsedRequest) => ParsedRequest;
  /**
   * The whole input to translate; by default the stored conversation, then the
   * new input. A WebSocket chain (or an HTTP conversation resent with new
   * items, request-prefix) also hands over the translation of its earlier
   * turns, which the turn extends instead of translating it again.
   */
  resolveInput?: (parsed: ParsedRequest, log: Logger) => Promise<ResolvedInput>;
  /** Told the turn's labels once its model is routed. */
  onRouted?: (labels: RequestLabels) => void;
  /** Answer at once with a response that has no output, without calling the upstream (a WebSocket's `generate: false`). */
  prewarm?: boolean;
}

/** The conversation of a turn, and the earlier turns' translation to extend (a WebSocket chain). */
export interface ResolvedInput {
  input: InputItem[];
  earlier?: InputTranslation | undefined;
}

interface TurnAnswer {
  parsed: ParsedRequest;
  /** The whole input the turn translated: the resolved conversation, then the new items. */
  input: InputItem[];
  /** The input's translation, kept to extend next turn; only when the transport handed one over (`resolveInput`). */
  translation?: InputTranslation | undefined;
}

/** A started stream: the transport writes what `producer` hands out; `translator.response` is the response as it stands. */
export interface StreamedTurn extends TurnAnswer {
  kind: 'stream';
  producer: TurnProducer;
  translator: { readonly response: ResponseObject };
}

/** A whole response (`stream: false`), stored already. */
export interface WholeTurn extends TurnAnswer {
  kind: 'whole';
  response: ResponseObject;
}

/** A prewarm's response and its events, stored already. */
export interface PrewarmedTurn extends TurnAnswer {
  kind: 'prewarmed';
  response: ResponseObject;
  events: ResponseStreamEvent[];
}

export type TurnResult = StreamedTurn | WholeTurn | PrewarmedTurn;

/** A turn once it is routed, translated and started: what the stream and the whole answer share. */
interface StartedTurn extends TurnAnswer {
  deps: AppDependencies;
  route: ResolvedRoute;
  log: Logger;
  origin: TurnOrigin;
  startedAt: number;
  turn: TurnLifecycle;
  usage: TurnUsage;
  echo: ResponseEcho;
  /** The request for the primary route, and how to translate the conversation for another route. */
  primary: BuiltChatRequest;
  prepare: (route: ResolvedRoute) => BuiltChatRequest;
}

export function runTurn(
  deps: AppDependencies,
  request: TurnRequest & { stream: false; prewarm?: false },
): Promise<WholeTurn>;
export function runTurn(
  deps: AppDependencies,
  request: TurnRequest & { stream: true },
): Promise<StreamedTurn | PrewarmedTurn>;
export function runTurn(deps: AppDependencies, request: TurnRequest): Promise<TurnResult>;
/** Runs one Responses turn (see the top of this file). */
export async function runTurn(deps: AppDependencies, request: TurnRequest): Promise<TurnResult> {
  const read = parseResponsesRequest(request.body, request.itemReadings);
  const adjusted = request.adjust ? request.adjust(read) : read;
  const parsed =
    request.stream === undefined ? adjusted : { ...adjusted, request: { ...adjusted.request, stream: request.stream } };
  const responsesRequest = parsed.request;
  const route = deps.router.resolve(responsesRequest.model);
  const { labels, log } = turnLabels(request.log, route, responsesRequest.model);
  request.onRouted?.(labels);
  // With previous_response_id: the stored conversation, then the new input.
  const resolved: ResolvedInput = request.resolveInput
    ? await request.resolveInput(parsed, log)
    : { input: await deps.history.resolveInput(responsesRequest, parsed.instructionItems, log) };
  const { input } = resolved;
  // Only a transport that keeps a chain asks for the translation; a compaction turn's input is its prompt, nothing to keep.
  const continuation: TranslationContinuation | undefined =
    request.resolveInput && !parsed.compactionRequested ? { earlier: resolved.earlier } : undefined;
  if (request.prewarm)
    return {
      kind: 'prewarmed',
      parsed,
      input,
      ...(await answerPrewarm(deps, parsed, input, route, log, continuation)),
    };

  const conversation = resolveConversation(deps, parsed, input, log);
  const prepare = (candidate: ResolvedRoute) =>
    buildChatRequest(conversation, candidate.provider.profile, candidate.upstreamModel, [...parsed.notes]);
  const primary = buildChatRequest(
    conversation,
    route.provider.profile,
    route.upstreamModel,
    [...parsed.notes],
    continuation,
  );
  const { turn, usage } = startTurnFor(deps, request.origin, {
    ...(request.transport ? { transport: request.transport } : {}),
    dialect: 'responses',
    streamed: responsesRequest.stream === true,
    route,
    labels,
    log,
    startedAt: request.startedAt,
    ...(deps.logContent
      ? { content: { instructions: responsesRequest.instructions, input: responsesRequest.input } }
      : {}),
  });
  const started: StartedTurn = {
    deps,
    parsed,
    input,
    translation: primary.translation,
    route,
    log,
    origin: request.origin,
    startedAt: request.startedAt,
    turn,
    usage,
    echo: buildResponseEcho(responsesRequest),
    primary,
    prepare,
  };
  try {
    return responsesRequest.stream === true ? startStream(started) : await collectWhole(started);
  } catch (error) {
    return failTurn(turn, error);
  }
}

/** The request to translate: compaction items opened; a compaction turn asks the upstream for a summary. */
function resolveConversation(
  deps: AppDependencies,
  parsed: ParsedRequest,
  input: InputItem[],
  log: Logger,
): ResponsesRequest {
  const notes: TranslationNote[] = [];
  const conversation = { ...parsed.request, input: [...expandCompactions(input, deps.compactionKey, notes)] };
  for (const note of notes) log[note.level](note.message);
  return parsed.compactionRequested ? compactionRequest(conversation) : conversation;
}

/** Starts the stream now: its opening events are encoded at once, and the upstream is called while they go out. */
function startStream(started: StartedTurn): StreamedTurn {
  const { deps, route, log, turn, parsed, input, translation } = started;
  const inner = createTranslator(started, route, started.primary, log);
  const current = forClient(started, inner);
  turn.attach(current);
  // The upstream is called now, not when the client first reads; the stream waits for it.
  const opening = openUpstream(started);
  opening.catch(() => undefined);
  // The store write names the route that served (the opening failed: the primary one).
  const servedLog = opening.then(
    (opened) => opened.servedLog,
    () => log,
  );
  const observer = observeOutput(started);
  const encoder = observingEncoder(new SseEncoder(started.echo), observer);
  const endTurn = turnEnder(started);
  const onEnd = async (ending: TurnEnding): Promise<void> => {
    const written = endTurn(current, await servedLog, ending);
    observer.end(ending.status);
    return written;
  };
  const stream = {
    translator: current,
    batches: streamFromUpstream(opening, inner, route),
    encoder,
    providerName: route.provider.profile.displayName,
    onEnd,
  };
  // The opening events go out first; heartbeats follow while the upstream is awaited.
  const producer = produceTurn(deps, turn, started.origin.clientSignal, stream, encoder.encode(current.start()));
  return { kind: 'stream', parsed, input, translation, producer, translator: current };
}

/** Opens the upstream, collects the whole response and records it; a failure is the HTTP error it becomes. */
async function collectWhole(started: StartedTurn): Promise<WholeTurn> {
  const { turn, parsed, input, translation } = started;
  const { opened, servedLog } = await openUpstream(started);
  const current = forClient(started, createTranslator(started, opened.route, opened.prepared, servedLog));
  turn.attach(current);
  const endWith = turnEnder(started);
  const endTurn = (ending: TurnEnding) => endWith(current, servedLog, ending);
  if (!opened.ok) throw endWithHttpError(endTurn, opened.failure);
  const outcome = await collectTurn({
    translator: current,
    batches: opened.batches,
    providerName: opened.route.provider.profile.displayName,
    observer: observeOutput(started),
  });
  if (outcome.status === 'failed' && outcome.failure) throw endWithHttpError(endTurn, outcome.failure);
  await endTurn(outcome);
  return { kind: 'whole', parsed, input, translation, response: current.response };
}

/** Opens the upstream for the turn: retries, then the fallbacks, each translated for its provider. */
function openUpstream(started: StartedTurn) {
  const { deps, turn, usage, route, primary, prepare, log } = started;
  return openTurnUpstream({ deps, turn, usage, route, primary, prepare, log });
}

/** The translator for the route that serves (the stream's may switch to a fallback before any output). */
function createTranslator(
  started: StartedTurn,
  served: ResolvedRoute,
  built: BuiltChatRequest,
  servedLog: Logger,
): ResponseStreamTranslator {
  const { deps } = started;
  return new ResponseStreamTranslator({
    responseId: deps.createId('resp'),
    createdAt: Math.floor(started.startedAt / 1000),
    createId: deps.createId,
    now: () => Math.floor(deps.now() / 1000),
    echo: started.echo,
    ...upstreamOptions(served, built, servedLog),
    redactMessage: deps.redact,
  });
}

/** What the client sees: a compaction turn answers with one `compaction` item made from the summary. */
function forClient(started: StartedTurn, translator: ResponseStreamTranslator): TurnTranslator {
  const { deps } = started;
  return started.parsed.compactionRequested
    ? new CompactionStream(translator, { key: deps.compactionKey, createId: deps.createId })
    : translator;
}

/** The first output delta times the turn's first output; every event goes to the response observer (tests). */
function observeOutput(started: StartedTurn) {
  const { deps, usage } = started;
  return watchFirstOutput(
    deps.observeResponse?.(),
    (event) => event.type.endsWith('.delta'),
    () => usage.firstOutput(deps.now()),
  );
}

/**
 * What ends the turn, holding only what that needs rather than the whole
 * started turn: a streamed turn keeps it until its last event, and its parsed
 * request need not live that long (`recorder`). The last event waits for the
 * store write it returns, so the next turn finds the response on any relay.
 */
function turnEnder(
  started: StartedTurn,
): (current: TurnTranslator, servedLog: Logger, ending: TurnEnding) => Promise<void> {
  const { turn } = started;
  const record = started.deps.history.recorder(started.parsed.request, started.parsed.instructionItems);
  return (current, servedLog, ending) => {
    const written = record(current.response, servedLog);
    turn.end(ending);
    return written;
  };
}
