/**
 * POST /v1/chat/completions: a Chat Completions client (the openai SDK, Aider,
 * Continue, scripts) on the same routes, aliases, fallbacks, retries, limits
 * and provider hooks as Codex. The request goes to the provider as Chat
 * Completions with only the provider's adjustments
 * (translate/chat/passthrough-request.ts), and the stream comes back chunk
 * for chunk with the provider's quirks repaired (translate/chat/chat-stream.ts).
 */
import type { Context } from 'hono';
import { RelayError, toErrorBody } from '../../errors.js';
import type { ResolvedRoute } from '../../routing/router.js';
import { ChatPassthroughStream, encodeChatEvents } from '../../translate/chat/chat-stream.js';
import { buildPassthroughRequest, parseChatRequest } from '../../translate/chat/passthrough-request.js';
import { classifyForRoute } from '../../upstream/open-stream.js';
import type { AppDependencies } from '../dependencies.js';
import { openTurnUpstream } from '../open-turn-upstream.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import { TurnLifecycle, type TurnEnding } from '../turn-lifecycle.js';
import { collectTurn, createTurnResponse } from '../turn-stream.js';
import { endWithHttpError } from './responses.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

const CHAT_ENCODER = { encode: encodeChatEvents };

/** Model names are metric labels: bounded in length (a client chooses them). */
const MAX_MODEL_LABEL = 100;

/** Handles one Chat Completions request. */
export async function handleChatCompletion(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const client = parseChatRequest(await readJsonBody(context));
  const model = client.body.model;
  const route = deps.router.resolve(model);
  const labels = { provider: route.provider.name, model: model.slice(0, MAX_MODEL_LABEL) };
  context.set('labels', labels);
  const log = context.get('log').child({ provider: route.provider.name, model, upstreamModel: route.upstreamModel });
  const prepare = (candidate: ResolvedRoute) => buildPassthroughRequest(client, candidate.provider.profile, candidate.upstreamModel);
  const primary = prepare(route);

  const clientSignal = context.req.raw.signal;
  let stream: ChatPassthroughStream | undefined;
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
    route: '/v1/chat/completions',
    response: () => stream?.response,
    ...(deps.logContent ? { content: () => ({ messages: client.body.messages, output: stream?.completion() }) } : {}),
  });
  context.set('turn', turn);

  try {
    const opened = await openTurnUpstream({ deps, turn, route, primary, prepare, log });
    const served = opened.route;
    const profile = served.provider.profile;
    const current = new ChatPassthroughStream({
      id: deps.createId('chatcmpl'),
      model,
      created: Math.floor(startedAt / 1000),
      hooks: profile.hooks,
      toolNames: opened.prepared.toolNames,
      includeUsage: client.includeUsage,
      createId: deps.createId,
      classifyStreamError: (errorBody) => classifyForRoute(served, undefined, errorBody),
      redactMessage: deps.redact,
    });
    stream = current;
    const endTurn = (ending: TurnEnding) => turn.end(ending);

    if (!opened.ok) throw endWithHttpError(endTurn, opened.failure);
    turn.upstreamAnswered();

    if (!client.stream) {
      const outcome = await collectTurn({ translator: current, batches: opened.batches, providerName: profile.displayName });
      if (outcome.status === 'failed' && outcome.failure) throw endWithHttpError(endTurn, outcome.failure);
      endTurn(outcome);
      return context.json(current.completion());
    }

    return createTurnResponse(
      {
        translator: current,
        batches: opened.batches,
        encoder: CHAT_ENCODER,
        providerName: profile.displayName,
        abortUpstream: () => turn.stopUpstream(),
        clientGone: () => clientSignal.aborted,
        heartbeatMs: deps.heartbeatMs,
        onEnd: endTurn,
      },
      encodeChatEvents(current.start()),
      SSE_HEADERS,
    );
  } catch (error) {
    turn.end(turn.clientGone ? { status: 'aborted' } : { status: 'failed', httpStatus: toErrorBody(error).status });
    if (turn.clientGone && !(error instanceof RelayError)) {
      throw new RelayError('The client closed the connection before the response started.', { status: 499, type: 'invalid_request_error', code: 'client_closed_request' });
    }
    throw error;
  }
}
