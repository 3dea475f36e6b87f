/**
 * POST /v1/chat/completions: a Chat Completions client (the openai SDK, Aider,
 * Continue, scripts) on the same routes, aliases, fallbacks, retries, limits
 * and provider hooks as Codex. The request goes to the provider as Chat
 * Completions with only the provider's adjustments
 * (translate/chat/passthrough-request.ts), and the stream comes back chunk
 * for chunk with the provider's quirks repaired (translate/chat/chat-stream.ts).
 */
import type { Context } from 'hono';
import type { ResolvedRoute } from '../../routing/router.js';
import { ChatPassthroughStream, type ChatStreamEvent, encodeChatEvents } from '../../translate/chat/chat-stream.js';
import { buildPassthroughRequest, parseChatRequest } from '../../translate/chat/passthrough-request.js';
import { classifyForRoute } from '../../upstream/open-stream.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import {
  answerOpenedTurn,
  failTurn,
  openTurnUpstream,
  routeLabels,
  startTurn,
  watchFirstOutput,
} from '../turn-handling.js';
import { observingEncoder } from '../turn-stream.js';

const CHAT_ENCODER = { encode: encodeChatEvents };

/** Handles one Chat Completions request. */
export async function handleChatCompletion(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const client = parseChatRequest(await readJsonBody(context));
  const model = client.body.model;
  const route = deps.router.resolve(model);
  const { labels, log } = routeLabels(context, route, model);
  const prepare = (candidate: ResolvedRoute) =>
    buildPassthroughRequest(client, candidate.provider.profile, candidate.upstreamModel);
  const primary = prepare(route);

  const { turn, usage } = startTurn(context, deps, {
    dialect: 'chat',
    streamed: client.stream,
    route,
    labels,
    log,
    startedAt,
    ...(deps.logContent ? { content: { messages: client.body.messages } } : {}),
  });
  const observer = watchFirstOutput<ChatStreamEvent>(undefined, isOutputChunk, () => usage.firstOutput(deps.now()));
  const encoder = observingEncoder(CHAT_ENCODER, observer);

  try {
    // Like the upstream's own endpoint, a failure before the stream began is an HTTP error.
    const { opened } = await openTurnUpstream({ deps, turn, usage, route, primary, prepare, log });
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
    turn.attach(current, () => current.completion());
    return await answerOpenedTurn(context, deps, turn, {
      opened,
      translator: current,
      encoder,
      observer,
      providerName: profile.displayName,
      streamed: client.stream,
      whole: () => current.completion(),
    });
  } catch (error) {
    return failTurn(turn, error);
  }
}

/** A chunk that carries output for the client: text, reasoning or a tool call. */
function isOutputChunk(event: ChatStreamEvent): boolean {
  if (event.type !== 'chunk') return false;
  const choices = event.chunk.choices;
  if (!Array.isArray(choices)) return false;
  return choices.some((choice: { delta?: Record<string, unknown> }) => {
    const delta = choice.delta;
    return (
      delta !== undefined &&
      (Boolean(delta.content) || Boolean(delta.reasoning_content) || Array.isArray(delta.tool_calls))
    );
  });
}
