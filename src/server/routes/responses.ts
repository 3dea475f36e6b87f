/**
 * POST /v1/responses: the body, read and handed to the turn (run-turn.ts);
 * a streamed turn goes out as SSE, a whole one as the Response object.
 */
import type { Context } from 'hono';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import { runTurn } from '../run-turn.js';
import { httpTurnRequest, turnResponse } from '../turn-handling.js';

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const result = await runTurn(deps, httpTurnRequest(context, body, startedAt));
  return result.kind === 'stream' ? turnResponse(result.producer) : context.json(result.response);
}
