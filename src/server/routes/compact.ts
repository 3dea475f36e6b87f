/**
 * POST /v1/responses/compact: the older remote compaction. The conversation
 * comes as a Responses request; the answer is the conversation's user
 * messages and one `compaction` item holding the relay's summary, the shape
 * OpenAI answers with. The summary is a compaction turn like the
 * `compaction_trigger` one on /v1/responses.
 */
import type { Context } from 'hono';
import { parseResponsesRequest } from '../../translate/request/parse-request.js';
import type { AppDependencies } from '../dependencies.js';
import { readJsonBody } from '../read-json-body.js';
import type { RelayEnv } from '../relay-env.js';
import { SseEncoder } from '../sse-encoding.js';
import { requestOrigin, routeLabels, streamTurn } from '../turn-handling.js';
import { runTurn } from './responses.js';

export async function handleCompactResponse(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const startedAt = deps.now();
  const body = await readJsonBody(context);
  const parsed = parseResponsesRequest(body);
  const request = { ...parsed.request, stream: false, store: false };
  const route = deps.router.resolve(request.model);
  const { labels, log } = routeLabels(context, route, request.model);
  const input = await deps.history.resolveInput(request, parsed.instructionItems, log);
  const kept = input.slice(parsed.instructionItems).filter((item) => item.type === 'message' && item.role === 'user');
  return runTurn(
    deps,
    { parsed: { ...parsed, request, compactionRequested: true }, input, route, labels, log, startedAt, origin: requestOrigin(context) },
    {
      // `stream` is set false above: the answer is always whole.
      createEncoder: (echo) => new SseEncoder(echo),
      deliver: (turn, options, first) => streamTurn(context, deps, turn, options, first),
      whole: (response) =>
        context.json({ id: response.id, object: 'response.compaction', created_at: response.created_at, output: [...kept, ...response.output], usage: response.usage }),
    },
  );
}
