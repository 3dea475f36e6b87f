/**
 * Property-based fuzz of what clients send, against a real relay on loopback:
 * - thousands of malformed bodies (not JSON, not an object, a missing or
 *   mistyped field, an item or tool that breaks its schema) each get a 4xx
 *   in the OpenAI error shape with a message, and none reaches the upstream;
 * - arbitrary item, content-part and tool shapes never get a 5xx: the relay
 *   either translates them (unknown types are skipped by design) or says
 *   what is wrong.
 * The process must stay up with no unhandled rejection or uncaught exception.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { finishChunk, type MockUpstream, textChunks } from '../support/mock-upstream.js';
import { useTestServers } from '../support/test-servers.js';
import { postResponse, watchProcessErrors } from './support.js';

const servers = useTestServers('all');
let upstream: MockUpstream;
let relay: RunningRelay;
let watcher: ReturnType<typeof watchProcessErrors>;

beforeAll(async () => {
  watcher = watchProcessErrors();
  upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('ok'), finishChunk('stop')] }));
  relay = await servers.relay(upstream.baseUrl);
});

afterAll(() => watcher.stop());

/** Top-level fields the relay reads; random extra keys never use these names. */
const KNOWN_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'reasoning',
  'max_output_tokens',
  'temperature',
  'top_p',
  'text',
  'stream',
  'store',
  'previous_response_id',
  'metadata',
  'user',
  'prompt_cache_key',
  'service_tier',
  'truncation',
]);

const json = fc.jsonValue({ maxDepth: 2 });
const notNull = json.filter((value) => value !== null);
const notString = notNull.filter((value) => typeof value !== 'string');
const notBoolean = notNull.filter((value) => typeof value !== 'boolean');
const notArray = notNull.filter((value) => !Array.isArray(value));
const notObject = notNull.filter((value) => typeof value !== 'object' || Array.isArray(value));
const notNumber = notNull.filter((value) => typeof value !== 'number');
const badEffort = fc
  .string()
  .filter((value) => !['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'].includes(value));
const badRole = fc.string().filter((value) => !['user', 'assistant', 'system', 'developer'].includes(value));
const extraFields = fc.dictionary(
  fc.string({ maxLength: 12 }).filter((key) => !KNOWN_FIELDS.has(key) && key !== '__proto__'),
  json,
  { maxKeys: 3 },
);

const goodItems = fc.array(
  fc.oneof(
    fc.record({ role: fc.constantFrom('user', 'assistant', 'developer'), content: fc.string({ maxLength: 20 }) }),
    fc.record({
      type: fc.constant('function_call'),
      call_id: fc.constant('call_1'),
      name: fc.constant('shell'),
      arguments: fc.constant('{}'),
    }),
    fc.record({
      type: fc.constant('function_call_output'),
      call_id: fc.constant('call_1'),
      output: fc.string({ maxLength: 20 }),
    }),
  ),
  { maxLength: 3 },
);

/** One input item that breaks its schema. */
const badItem = fc.oneof(
  notObject,
  fc.record({ type: notString.filter((value) => value !== undefined) }),
  fc.record({ content: fc.string() }),
  fc.record({ type: fc.constant('message'), role: badRole, content: fc.string() }),
  fc.record({
    role: fc.constantFrom('user', 'assistant'),
    content: notString.filter((value) => !Array.isArray(value)),
  }),
  fc.record({ role: fc.constant('user'), content: fc.array(notObject, { minLength: 1, maxLength: 2 }) }),
  fc.record({
    type: fc.constant('function_call'),
    call_id: fc.constant(''),
    name: fc.constant('f'),
    arguments: fc.constant('{}'),
  }),
  fc.record({
    type: fc.constant('function_call'),
    call_id: fc.constant('c'),
    name: fc.constant('f'),
    arguments: notString,
  }),
  fc.record({ type: fc.constant('function_call'), name: fc.constant('f'), arguments: fc.constant('{}') }),
  fc.record({
    type: fc.constant('function_call_output'),
    call_id: fc.constant('c'),
    output: notString.filter((value) => !Array.isArray(value)),
  }),
  fc.record({
    type: fc.constant('custom_tool_call'),
    call_id: fc.constant('c'),
    name: fc.constant('apply_patch'),
    input: notString,
  }),
  fc.record({ type: fc.constant('reasoning'), summary: notArray.filter((value) => value !== undefined) }),
  fc.record({ type: fc.constant('tool_search_output'), tools: notArray }),
);

/** One tool that breaks its schema. */
const badTool = fc.oneof(
  notObject,
  fc.record({ type: notString }),
  fc.record({ type: fc.constant('function'), name: fc.constantFrom('', undefined) }),
  fc.record({ type: fc.constant('function'), name: fc.constant('f'), parameters: notObject }),
  fc.record({ type: fc.constant('custom'), name: fc.constant('apply_patch'), format: notObject }),
  fc.record({ type: fc.constant('namespace'), name: fc.constant('mcp'), tools: notArray }),
);

/** A top-level field with a value of the wrong type or range. */
const badField = fc.oneof(
  fc.record({
    temperature: fc.oneof(
      notNumber,
      fc.double({ min: 2.01, max: 1e6, noNaN: true }),
      fc.double({ min: -1e6, max: -0.01, noNaN: true }),
    ),
  }),
  fc.record({ top_p: fc.oneof(notNumber, fc.double({ min: 1.01, max: 1e6, noNaN: true })) }),
  fc.record({
    max_output_tokens: fc.oneof(notNumber, fc.integer({ max: 0 }), fc.double({ min: 0.1, max: 0.9, noNaN: true })),
  }),
  fc.record({ stream: notBoolean }),
  fc.record({ store: notBoolean }),
  fc.record({ parallel_tool_calls: notBoolean }),
  fc.record({ input: notString.filter((value) => !Array.isArray(value)) }),
  fc.record({ instructions: notString.filter((value) => !Array.isArray(value)) }),
  fc.record({ tools: notArray }),
  fc.record({
    tool_choice: fc.oneof(
      fc.string().filter((value) => !['auto', 'none', 'required'].includes(value)),
      fc.integer(),
      fc.boolean(),
      fc.constant({}),
    ),
  }),
  fc.record({ reasoning: fc.oneof(notObject, fc.record({ effort: badEffort })) }),
  fc.record({
    text: fc.record({ format: fc.oneof(fc.constant({ type: 'json_schema' }), fc.record({ type: notString })) }),
  }),
  fc.record({ metadata: fc.oneof(notObject, fc.constant({ key: 1 })) }),
  fc.record({ previous_response_id: notString }),
  fc.record({ user: notString }),
);

const validRequest = fc.record({ model: fc.constant('fuzz-model'), input: goodItems });

/** A body text the relay must refuse. */
const malformedBody = fc.oneof(
  // Not JSON: arbitrary text, a truncated request, a value with trailing garbage.
  fc.string().filter((text) => !parses(text)),
  fc.tuple(validRequest, fc.nat()).map(([request, cut]) => {
    const text = JSON.stringify(request);
    return text.slice(0, cut % text.length);
  }),
  json.map((value) => `${JSON.stringify(value)}}`),
  // JSON, but not an object.
  fc
    .oneof(fc.array(json, { maxLength: 3 }), fc.string(), fc.integer(), fc.boolean(), fc.constant(null))
    .map((value) => JSON.stringify(value)),
  // No model, or a model that is not a non-empty string.
  fc.tuple(extraFields, goodItems).map(([extra, input]) => JSON.stringify({ ...extra, input })),
  fc.tuple(fc.oneof(notString, fc.constant('')), goodItems).map(([model, input]) => JSON.stringify({ model, input })),
  // A field, an item or a tool that breaks its schema.
  fc
    .tuple(validRequest, badField, extraFields)
    .map(([request, field, extra]) => JSON.stringify({ ...extra, ...request, ...field })),
  fc
    .tuple(goodItems, badItem, goodItems, extraFields)
    .map(([before, item, after, extra]) =>
      JSON.stringify({ ...extra, model: 'fuzz-model', input: [...before, item, ...after] }),
    ),
  fc
    .tuple(validRequest, fc.array(badTool, { minLength: 1, maxLength: 2 }))
    .map(([request, tools]) => JSON.stringify({ ...request, tools })),
);

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

it('answers thousands of malformed requests with a 4xx and a message, and never calls the upstream', async () => {
  await fc.assert(
    fc.asyncProperty(malformedBody, async (body) => {
      const response = await postResponse(relay.url, body);
      const text = await response.text();
      expect(response.status, text).toBeGreaterThanOrEqual(400);
      expect(response.status, text).toBeLessThan(500);
      const parsed = JSON.parse(text) as { error?: { message?: unknown; type?: unknown } };
      expect(typeof parsed.error?.message).toBe('string');
      expect((parsed.error!.message as string).length).toBeGreaterThan(0);
      expect(typeof parsed.error?.type).toBe('string');
    }),
    { numRuns: 2_000 },
  );
  expect(upstream.requests).toHaveLength(0);
  expect(watcher.errors).toEqual([]);
  expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
}, 120_000);

/** Any object as an item: known and unknown types, with any fields. */
const anyItem = fc
  .tuple(
    fc.constantFrom(
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'custom_tool_call',
      'custom_tool_call_output',
      'tool_search_call',
      'tool_search_output',
      'additional_tools',
      'local_shell_call',
      'web_search_call',
      'image_generation_call',
      'compaction',
      'something_new',
    ),
    fc.dictionary(
      fc.constantFrom(
        'role',
        'content',
        'call_id',
        'name',
        'arguments',
        'output',
        'input',
        'summary',
        'encrypted_content',
        'namespace',
        'tools',
        'id',
        'status',
        'action',
      ),
      fc.oneof(
        json,
        fc.array(
          fc.dictionary(
            fc.constantFrom('type', 'text', 'image_url', 'detail', 'refusal', 'filename', 'name', 'tools'),
            json,
            { maxKeys: 4 },
          ),
          { maxLength: 3 },
        ),
      ),
      { maxKeys: 6 },
    ),
  )
  .map(([type, fields]) => ({ ...fields, type }));

const anyTool = fc
  .tuple(
    fc.constantFrom('function', 'custom', 'namespace', 'tool_search', 'web_search', 'mystery'),
    fc.dictionary(fc.constantFrom('name', 'description', 'parameters', 'format', 'tools', 'strict'), json, {
      maxKeys: 4,
    }),
  )
  .map(([type, fields]) => ({ ...fields, type }));

it('never answers an arbitrary item or tool shape with a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(anyItem, { minLength: 1, maxLength: 4 }),
      fc.array(anyTool, { maxLength: 2 }),
      async (input, tools) => {
        const response = await postResponse(relay.url, { model: 'fuzz-model', input, tools, store: false });
        const text = await response.text();
        expect(response.status, `${text}\n${JSON.stringify(input)}`).toBeLessThan(500);
        if (response.status !== 200)
          expect((JSON.parse(text) as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
      },
    ),
    { numRuns: 600 },
  );
  expect(watcher.errors).toEqual([]);
  expect((await fetch(`${relay.url}/healthz`)).status).toBe(200);
}, 120_000);
