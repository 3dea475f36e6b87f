/**
 * POST /v1/responses: the body, read and handed to the turn (run-turn.ts);
 * a streamed turn goes out as SSE, a whole one as the Response object. A
 * request that resends a conversation the relay has just served, with new
 * items at the end, has only those read and translated (request-prefix).
 */
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppDependencies } from '../dependencies.js';
import { readBodyBytes } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import type { ReadRequest } from '../request-prefix/request-prefix-cache.js';
import { runTurn, type TurnRequest } from '../run-turn.js';
import { requestOrigin, turnResponse } from '../turn-handling.js';

/** The debug line of a request read as the continuation of a kept one (with `reusedItems`). */
export const INPUT_CONTINUED = 'input continues a kept request';
/** The debug line of a request read whole whose bytes start with a kept one's: kept for the next turn to continue. */
export const INPUT_EXTENDS_KEPT = 'input extends a kept request';

/** Handles one Responses request. */
export async function handleCreateResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const read = deps.requestPrefixes.read(await readBodyBytes(context), conversationKey(context));
  if (read.reusedItems > 0) context.get('log').debug({ reusedItems: read.reusedItems }, INPUT_CONTINUED);
  else if (read.extendsKept) context.get('log').debug(INPUT_EXTENDS_KEPT);
  const result = await runTurn(deps, {
    ...httpTurnRequest(context, read.body, startedAt),
    ...(read.readings ? continuedTurn(deps, read) : {}),
  });
  read.keep(result.translation);
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

/** A turn of a named conversation: the input resolved as usual, the kept translation handed over to extend. */
function continuedTurn(deps: AppDependencies, read: ReadRequest): Pick<TurnRequest, 'itemReadings' | 'resolveInput'> {
  return {
    itemReadings: read.readings,
    resolveInput: async (parsed, log) => ({
      input: await deps.history.resolveInput(parsed.request, parsed.instructionItems, log),
      earlier: read.earlier,
    }),
  };
}

/**
 * The conversation a request belongs to: Codex's `session-id` (else
 * `thread-id`) header with the credential it came with, so one caller never
 * continues another's; none without such a header.
 */
function conversationKey(context: Context<RelayEnv>): string | undefined {
  // Codex 0.128 spells it `session_id`.
  const session =
    context.req.header('session-id') ?? context.req.header('session_id') ?? context.req.header('thread-id');
  if (session === undefined || session === '') return undefined;
  const credential = context.req.header('authorization') ?? context.req.header('x-api-key') ?? '';
  return createHash('sha256').update(credential).update('\u0000').update(session).digest('base64');
}
