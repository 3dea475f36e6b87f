/**
 * Drives one provider profile through the pure translators: a Responses
 * request in, the Chat request out; Chat chunks in, Responses events and the
 * final Response out. No servers, no clocks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { ResolvedRoute } from '../../src/routing/router.js';
import type { ChatChunk, ChatRequest } from '../../src/translate/chat-types.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { type BuiltChatRequest, buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { buildResponseEcho, type OutputItem, type ResponseObject } from '../../src/translate/stream/response-object.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../../src/translate/stream/response-stream.js';
import type { UpstreamFailure } from '../../src/translate/upstream-errors.js';
import { classifyForRoute } from '../../src/upstream/open-stream.js';

/** A function tool as Codex declares it. */
export function functionTool(
  name: string,
  properties: Record<string, unknown> = { path: { type: 'string' } },
): Record<string, unknown> {
  return {
    type: 'function',
    name,
    description: `The ${name} tool`,
    strict: false,
    parameters: { type: 'object', properties, required: Object.keys(properties) },
  };
}

/** Codex's freeform apply_patch tool. */
export const APPLY_PATCH_TOOL = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Apply a patch',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: /.+/s' },
};

/** Builds the upstream request the profile would send for a Responses body. */
export function buildFor(profile: ProviderProfile, body: Record<string, unknown>): BuiltChatRequest {
  const { request, notes } = parseResponsesRequest({ model: 'test-model', ...body });
  return buildChatRequest(request, profile, request.model, notes);
}

/** The upstream request body only. */
export function chatBodyFor(profile: ProviderProfile, body: Record<string, unknown>): ChatRequest {
  return buildFor(profile, body).body;
}

export interface StreamResult {
  events: ResponseStreamEvent[];
  response: ResponseObject;
  /** Output items in order, as a client would send them back as input. */
  output: OutputItem[];
  /** How a failed response was classified (its `error.code` is what Codex is sent for that). */
  failure: UpstreamFailure | undefined;
}

/**
 * Feeds Chat chunks through the stream translator with the profile's hooks.
 * `requestBody` supplies the tools (so tool names resolve) and the model.
 */
export function streamThrough(
  profile: ProviderProfile,
  chunks: readonly object[],
  requestBody: Record<string, unknown> = {},
): StreamResult {
  const body: Record<string, unknown> = { model: 'test-model', ...requestBody };
  const { request } = parseResponsesRequest(body);
  const built = buildChatRequest(request, profile, request.model);
  let counter = 0;
  const translator = new ResponseStreamTranslator({
    responseId: 'resp_test',
    createdAt: 1_700_000_000,
    createId: (prefix) => `${prefix}_${++counter}`,
    now: () => 1_700_000_001,
    echo: buildResponseEcho(request),
    names: built.names,
    hooks: profile.hooks,
    classifyStreamError: (errorBody) => classifyForRoute(routeFor(profile), undefined, errorBody),
  });
  const events = [...translator.start()];
  for (const chunk of chunks) events.push(...translator.onChunk(chunk as ChatChunk));
  events.push(...translator.finish());
  const response = translator.response;
  return { events, response, output: response.output, failure: translator.failure };
}

/** A route to the profile, for error classification as the server does it. */
export function routeFor(profile: ProviderProfile): ResolvedRoute {
  return {
    provider: { name: profile.id, profile, endpoint: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: undefined } },
    upstreamModel: 'test-model',
    fallbacks: [],
  };
}

/** Classifies an upstream error the way the server does for this profile. */
export function classify(
  profile: ProviderProfile,
  status: number | undefined,
  body: unknown,
  retryAfterSeconds?: number,
): UpstreamFailure {
  return classifyForRoute(routeFor(profile), status, body, retryAfterSeconds);
}

/** Concatenated text of all delta events of one type. */
export function deltaText(events: readonly ResponseStreamEvent[], type: string): string {
  return events
    .filter((event) => event.type === type)
    .map((event) => ('delta' in event ? event.delta : ''))
    .join('');
}

const BASE = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'test-model' };

/** One streamed chunk with a single choice. */
export function chunk(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
  extra: Record<string, unknown> = {},
): object {
  return { ...BASE, choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra };
}

/** Content split into chunks exactly as given. */
export function contentChunks(...pieces: string[]): object[] {
  return pieces.map((piece) => chunk({ content: piece }));
}

/** One recorded exchange of a go-vcr cassette: what was sent and the SSE chunks that came back. */
export interface CassetteInteraction {
  requestBody: Record<string, any>;
  chunks: object[];
}

/** Where the shared recordings live (beside the repository, as in CI). */
export const CASSETTES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/cassettes');

/**
 * Reads a cassette under ../shared/cassettes. Returns the missing path
 * instead when the shared material is not there, so the caller can skip
 * with a message naming it.
 */
export function loadCassette(relativePath: string): CassetteInteraction[] | { missing: string } {
  const path = join(CASSETTES_DIR, relativePath);
  if (!existsSync(path)) return { missing: path };
  const document = parseYaml(readFileSync(path, 'utf8')) as {
    interactions: Array<{ request: { body: string }; response: { body: string } }>;
  };
  return document.interactions.map((interaction) => ({
    requestBody: JSON.parse(interaction.request.body) as Record<string, any>,
    chunks: interaction.response.body
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line.trim() !== 'data: [DONE]')
      .map((line) => JSON.parse(line.slice(6)) as object),
  }));
}

/** Loads a cassette or skips the running test with a message naming the missing path. */
export function cassetteOrSkip(
  context: { skip: (note?: string) => never },
  relativePath: string,
): CassetteInteraction[] {
  const loaded = loadCassette(relativePath);
  if ('missing' in loaded) context.skip(`shared recording not found: ${loaded.missing}`);
  return loaded;
}

/** The assistant messages of a Chat request. */
export function assistantMessages(request: { messages: readonly unknown[] }): Array<Record<string, any>> {
  return request.messages.filter((message) => (message as { role?: string }).role === 'assistant') as Array<
    Record<string, any>
  >;
}
