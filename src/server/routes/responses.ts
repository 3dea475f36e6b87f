/**
 * POST /v1/responses: the body, read and handed to the turn (run-turn.ts);
 * a streamed turn goes out as SSE, a whole one as the Response object.
 */
import type { Context } from 'hono';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import { runTurn, type TurnRequest } from '../run-turn.js';
import { requestOrigin, turnResponse } from '../turn-handling.js';

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const result = await runTurn(deps, httpTurnRequest(context, body, startedAt));
  return result.kind === 'stream'
    ? turnResponse(result.producer, context.get('requestId'))
    : context.json(result.response);
}

/** A Responses turn asked for by an HTTP request, its labels set on the request once routed. */
export function httpTurnRequest(
  context: Context<RelayEnv>,
  body: unknown,
  startedAt: number,
): Pick<TurnRequest, 'body' | 'origin' | 'log' | 'startedAt' | 'onRouted'> {
  return {
    body,
    origin: requestOrigin(context),
    log: context.get('log'),
    startedAt,
    onRouted: (labels) => context.set('labels', labels),
  };
}
