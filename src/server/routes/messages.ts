/**
 * POST /v1/messages (Anthropic Messages, what Claude Code speaks) and
 * POST /v1/messages/count_tokens. A Messages request is read as the relay's
 * Responses request (translate/anthropic/parse-messages-request.ts), so it
 * takes the same routes, aliases, fallbacks, retries, limits and provider
 * hooks as a Codex turn; the stream comes back as Anthropic's events
 * (translate/anthropic/message-stream.ts). Errors are rendered in Anthropic's
 * shape by the app (the path says which dialect).
 */
import type { Context } from 'hono';
import { notFound } from '../../errors.js';
import type { ModelRouter, ResolvedRoute } from '../../routing/router.js';
import {
  type AnthropicEvent,
  AnthropicMessageStream,
  encodeAnthropicEvents,
  messageFromResponse,
} from '../../translate/anthropic/message-stream.js';
import { parseMessagesRequest } from '../../translate/anthropic/parse-messages-request.js';
import type { TranslationNote } from '../../translate/notes.js';
import type { ProviderProfile } from '../../translate/provider-hooks.js';
import { type BuiltChatRequest, buildChatRequest } from '../../translate/request/build-chat-request.js';
import type { ResponsesRequest } from '../../translate/request/responses-schema.js';
import { buildResponseEcho } from '../../translate/stream/response-object.js';
import { ResponseStreamTranslator } from '../../translate/stream/response-stream.js';
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

const ANTHROPIC_ENCODER = { encode: encodeAnthropicEvents };

/** Handles one Messages request. */
export async function handleCreateMessage(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const { request, stopSequences, notes } = parseMessagesRequest(await readJsonBody(context));
  const route = resolveMessagesRoute(deps.router, request.model);
  const { labels, log } = routeLabels(context, route, request.model);
  const prepare = (candidate: ResolvedRoute) => buildForRoute(request, candidate, stopSequences, notes);
  const primary = prepare(route);

  const { turn, usage } = startTurn(context, deps, {
    dialect: 'messages',
    streamed: request.stream === true,
    route,
    labels,
    log,
    startedAt,
    ...(deps.logContent ? { content: { instructions: request.instructions, input: request.input } } : {}),
  });
  const observer = watchFirstOutput<AnthropicEvent>(
    undefined,
    (event) => event.type === 'content_block_delta',
    () => usage.firstOutput(deps.now()),
  );
  const encoder = observingEncoder(ANTHROPIC_ENCODER, observer);

  try {
    // Claude Code retries 429 and 529 by status, so the response starts only once the upstream answered.
    const { opened, servedLog } = await openTurnUpstream({ deps, turn, usage, route, primary, prepare, log });
    const served = opened.route;
    const profile = served.provider.profile;
    const messageId = deps.createId('msg');
    const current = new AnthropicMessageStream({
      messageId,
      model: request.model,
      redactMessage: deps.redact,
      inner: new ResponseStreamTranslator({
        responseId: deps.createId('resp'),
        createdAt: Math.floor(startedAt / 1000),
        createId: deps.createId,
        now: () => Math.floor(deps.now() / 1000),
        echo: buildResponseEcho(request),
        names: opened.prepared.names,
        hooks: profile.hooks,
        classifyStreamError: (errorBody) => classifyForRoute(served, undefined, errorBody),
        redactMessage: deps.redact,
        onNote: (note) => servedLog[note.level](note.message),
      }),
    });
    turn.attach(current);
    // Before any byte went out an error is an HTTP status Claude Code acts on (429/529 are retried).
    return await answerOpenedTurn(context, deps, turn, {
      opened,
      translator: current,
      encoder,
      observer,
      providerName: profile.displayName,
      streamed: request.stream === true,
      whole: () => messageFromResponse(current.response, messageId, request.model),
    });
  } catch (error) {
    return failTurn(turn, error);
  }
}

/** POST /v1/messages/count_tokens: the request as the routed provider would get it, counted. */
export async function handleCountTokens(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const { request, stopSequences, notes } = parseMessagesRequest(await readJsonBody(context));
  const route = resolveMessagesRoute(deps.router, request.model);
  routeLabels(context, route, request.model);
  const built = buildForRoute(request, route, stopSequences, notes);
  // Loaded on first use: the tokenizer's tables cost ~70 MB, which a relay that never counts should not pay.
  const { estimateChatRequestTokens } = await import('../../tokens/estimate-tokens.js');
  return context.json({ input_tokens: estimateChatRequestTokens(built.body) });
}

/** The Chat request for one route, with `stop` where the provider takes it. */
function buildForRoute(
  request: ResponsesRequest,
  route: ResolvedRoute,
  stopSequences: readonly string[],
  notes: readonly TranslationNote[],
): BuiltChatRequest {
  const profile = route.provider.profile;
  const built = buildChatRequest(request, profile, route.upstreamModel, [...notes]);
  if (stopSequences.length > 0 && acceptsField(profile, 'stop')) built.body.stop = [...stopSequences];
  return built;
}

function acceptsField(profile: ProviderProfile, field: string): boolean {
  return profile.allowedRequestFields === undefined || profile.allowedRequestFields.includes(field);
}

/**
 * The route for a model Claude Code asked for. Claude Code asks for Claude
 * model ids; one that no alias maps to a served model would reach the default
 * provider as it is and fail there, so it is refused with the fix instead.
 */
export function resolveMessagesRoute(router: ModelRouter, model: string): ResolvedRoute {
  const route = router.resolve(model);
  if (model.toLowerCase().startsWith('claude') && !router.aliases.has(model) && route.upstreamModel === model) {
    const example =
      router.aliases.keys().next().value ?? router.defaultProvider.profile.models[0]?.id ?? 'a model the relay serves';
    throw notFound(
      `model: ${model} is not routed by this relay. Set ANTHROPIC_MODEL and ANTHROPIC_SMALL_FAST_MODEL to a model it serves (for example ${example}), ` +
        `or add an alias for ${model} to the relay's config ([aliases] in the config file, or --model-map ${model}:<model>).`,
      'model_not_found',
      'model',
    );
  }
  return route;
}
