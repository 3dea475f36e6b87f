/**
 * A prewarm (`generate: false` on the Responses WebSocket): a response with
 * an id and no output, answered at once without calling the upstream, whose
 * input starts the conversation the next turn continues.
 */
import type { Logger } from '../log.js';
import type { ResolvedRoute } from '../routing/router.js';
import { buildChatRequest, type TranslationContinuation } from '../translate/request/build-chat-request.js';
import type { InputTranslation } from '../translate/request/incremental-input.js';
import type { ParsedRequest } from '../translate/request/parse-request.js';
import type { InputItem } from '../translate/request/responses-schema.js';
import { buildResponseEcho, type ResponseObject } from '../translate/stream/response-object.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../translate/stream/response-stream.js';
import type { AppDependencies } from './dependencies.js';

/** Log message (debug) that shows a prewarm answered as Codex expects. */
export const PREWARM_ANSWERED = 'prewarm answered without the upstream';

/** The prewarm's response and its events, once it is stored. */
export async function answerPrewarm(
  deps: AppDependencies,
  parsed: ParsedRequest,
  input: InputItem[],
  route: ResolvedRoute,
  log: Logger,
  continuation?: TranslationContinuation,
): Promise<{ response: ResponseObject; events: ResponseStreamEvent[]; translation?: InputTranslation | undefined }> {
  const { request, instructionItems } = parsed;
  const built = buildChatRequest({ ...request, input }, route.provider.profile, route.upstreamModel, [], continuation);
  const seconds = () => Math.floor(deps.now() / 1000);
  const translator = new ResponseStreamTranslator({
    responseId: deps.createId('resp'),
    createdAt: seconds(),
    createId: deps.createId,
    now: seconds,
    echo: buildResponseEcho(request),
    names: built.names,
    hooks: route.provider.profile.hooks,
    classifyStreamError: () => ({ code: 'server_error', message: 'no upstream call' }),
  });
  const events = [
    ...translator.start(),
    ...translator.onChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
    ...translator.finish('done'),
  ];
  const response = translator.response;
  log.debug({ responseId: response.id }, PREWARM_ANSWERED);
  await deps.history.record(request, instructionItems, response, log);
  return { response, events, translation: built.translation };
}
