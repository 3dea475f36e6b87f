/**
 * POST /v1/responses/compact: the older remote compaction. The conversation
 * comes as a Responses request; the answer is the conversation's user
 * messages and one `compaction` item holding the relay's summary, the shape
 * OpenAI answers with. The summary is a compaction turn like the
 * `compaction_trigger` one on /v1/responses.
 */
import type { Context } from 'hono';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import { runTurn } from '../run-turn.js';
import { httpTurnRequest } from './responses.js';

export async function handleCompactResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const { parsed, input, response } = await runTurn(deps, {
    ...httpTurnRequest(context, body, startedAt),
    stream: false,
    adjust: (read) => ({ ...read, request: { ...read.request, store: false }, compactionRequested: true }),
  });
  const kept = input.slice(parsed.instructionItems).filter((item) => item.type === 'message' && item.role === 'user');
  return context.json({
    id: response.id,
    object: 'response.compaction',
    created_at: response.created_at,
    output: [...kept, ...response.output],
    usage: response.usage,
  });
}
