/** Builds stream translators and requests for unit tests, with fixed ids and clock. */
import { genericHooks } from '../../src/providers/define-provider.js';
import { genericProvider } from '../../src/providers/generic.js';
import type { ChatChunk } from '../../src/translate/chat-types.js';
import type { TranslationNote } from '../../src/translate/notes.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { type BuiltChatRequest, buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import type { ResponsesRequest } from '../../src/translate/request/responses-schema.js';
import { buildResponseEcho } from '../../src/translate/stream/response-object.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../../src/translate/stream/response-stream.js';
import { ToolNameMap } from '../../src/translate/tool-names.js';
import { classifyUpstreamError } from '../../src/translate/upstream-errors.js';

/** Sequential ids per prefix: msg_1, fc_1, fc_2 … */
export function sequentialIds(): (prefix: string) => string {
  const counters = new Map<string, number>();
  return (prefix) => {
    const next = (counters.get(prefix) ?? 0) + 1;
    counters.set(prefix, next);
    return `${prefix}_${next}`;
  };
}

export interface TestTranslation {
  translator: ResponseStreamTranslator;
  chatBody: Record<string, any>;
  /** What the translator asked to be logged. */
  notes: TranslationNote[];
}

/** A translator for a Responses request body, as the route would build it. */
export function translatorFor(
  body: Record<string, unknown>,
  profile: ProviderProfile = genericProvider,
): TestTranslation {
  const { request, notes } = parseResponsesRequest({ model: 'test-model', input: 'hi', ...body });
  const built = buildChatRequest(request, profile, request.model, notes);
  const notesOut: TranslationNote[] = [];
  const translator = translatorForBuilt(request, built, profile, (note) => notesOut.push(note));
  return { translator, chatBody: built.body as Record<string, any>, notes: notesOut };
}

/** The stream translator for a request already built for `profile`, with fixed ids and clock. */
export function translatorForBuilt(
  request: ResponsesRequest,
  built: BuiltChatRequest,
  profile: ProviderProfile,
  onNote: (note: TranslationNote) => void = () => {},
): ResponseStreamTranslator {
  return new ResponseStreamTranslator({
    responseId: 'resp_test',
    createdAt: 1_700_000_000,
    createId: sequentialIds(),
    now: () => 1_700_000_001,
    echo: buildResponseEcho(request),
    names: built.names,
    hooks: profile.hooks,
    classifyStreamError: (errorBody) => classifyUpstreamError(undefined, errorBody, undefined, profile.displayName),
    onNote,
  });
}

/** An event as tests read it: any field, without narrowing on `type` first. */
export type TestEvent = ResponseStreamEvent & Record<string, any>;

/** Runs chunks through a translator: start, every chunk, finish. */
export function runChunks(translator: ResponseStreamTranslator, chunks: ChatChunk[], finish = true): TestEvent[] {
  const events: TestEvent[] = [...translator.start()];
  for (const chunk of chunks) events.push(...translator.onChunk(chunk));
  if (finish) events.push(...translator.finish());
  return events;
}

export function eventTypes(events: ResponseStreamEvent[]): string[] {
  return events.map((event) => event.type);
}

/** A stream translator with fixed ids and clock, the generic provider hooks and no tools. */
export function createTestTranslator(): ResponseStreamTranslator {
  let counter = 0;
  return new ResponseStreamTranslator({
    responseId: 'resp_test',
    createdAt: 1_700_000_000,
    createId: (prefix) => `${prefix}_${++counter}`,
    now: () => 1_700_000_001,
    echo: buildResponseEcho(parseResponsesRequest({ model: 'mock-model', input: 'hi' }).request),
    names: new ToolNameMap(),
    hooks: genericHooks,
    classifyStreamError: () => ({ code: 'server_error', message: 'failed' }),
  });
}
