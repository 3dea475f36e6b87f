/**
 * POST /v1/responses/input_tokens: the body of a Responses request (model
 * and input optional, as in OpenAI's API), answered with an estimate of the
 * prompt tokens of the request the relay would send upstream — translated
 * for the routed provider, with the stored conversation of
 * `previous_response_id` — as `{"object":"response.input_tokens","input_tokens":N}`.
 * Nothing is sent upstream.
 */
import type { Context } from 'hono';
import { expandCompactions } from '../../translate/compaction/compaction-input.js';
import { buildChatRequest } from '../../translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../translate/request/parse-request.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';

/** Handles one token count request. */
export async function handleInputTokens(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const body = await readJsonBody(context);
  const { request, notes, instructionItems } = parseResponsesRequest(withCountDefaults(body, deps));
  const route = deps.router.resolve(request.model);
  const log = context.get('log').child({ provider: route.provider.name, model: request.model });
  const input = await deps.history.resolveInput(request, instructionItems, log);
  // Counted as the upstream will get it: compaction items as their summaries.
  const conversation = [...expandCompactions(input, deps.compactionKey, [])];
  const built = buildChatRequest({ ...request, input: conversation }, route.provider.profile, route.upstreamModel, [
    ...notes,
  ]);
  // Loaded on first use: the tokenizer's tables cost ~70 MB and ~0.2 s, which a relay that never counts should not pay.
  const { estimateChatRequestTokens } = await import('../../tokens/estimate-tokens.js');
  return context.json({ object: 'response.input_tokens', input_tokens: estimateChatRequestTokens(built.body) });
}

/** Model and input may be left out (or null) when counting: the default provider's model, no input. */
function withCountDefaults(body: unknown, deps: AppDependencies): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const record = { ...(body as Record<string, unknown>) };
  if (record.model === undefined || record.model === null)
    record.model = deps.router.defaultProvider.profile.models[0]?.id ?? 'default';
  for (const key of Object.keys(record)) if (record[key] === null) delete record[key];
  return record;
}
