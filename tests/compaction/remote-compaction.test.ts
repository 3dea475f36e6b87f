/**
 * Remote compaction as Codex uses it: an input ending with
 * `compaction_trigger` (over HTTP and the WebSocket) is answered with one
 * `compaction` item holding the upstream's summary; the next turn carries the
 * item back and the upstream gets the summary instead of the old history.
 * Also POST /v1/responses/compact. Every stream is checked for conformance.
 */
import { afterEach, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { COMPACTION_PROMPT } from '../../src/translate/compaction/compaction-prompt.js';
import { type MockUpstream, startMockUpstream } from '../support/mock-upstream.js';
import { readSse, startTestRelay } from '../support/relay.js';
import { chatAnswer } from '../support/scripted-upstream.js';
import { ResponsesWebSocket } from '../support/websocket-client.js';

let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
let socket: ResponsesWebSocket | undefined;

afterEach(async () => {
  socket?.close();
  socket = undefined;
  await relay?.close();
  await upstream?.close();
  relay = undefined;
});

const TOOLS = [
  {
    type: 'function',
    name: 'shell',
    description: 'Runs a command',
    parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
  },
];
const COMMON = {
  model: 'm',
  instructions: 'You are a coding agent.',
  tools: TOOLS,
  tool_choice: 'auto',
  parallel_tool_calls: false,
  store: false,
  stream: true,
};
const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const HISTORY = [
  user('Rename the parser.'),
  { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"cmd":"git mv a.ts b.ts"}' },
  { type: 'function_call_output', call_id: 'call_1', output: 'OLD-HISTORY-MARKER' },
  { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Renamed.' }] },
];
const SUMMARY = 'Renamed a.ts to b.ts with git mv. Next: update the imports.';

/** The upstream writes the summary when asked for one, and answers `after` otherwise. */
async function summarizingUpstream(after = 'Imports updated.'): Promise<MockUpstream> {
  return startMockUpstream((request) => {
    const messages = request.body.messages as Array<{ role: string; content: unknown }>;
    const asked = JSON.stringify(messages.at(-1)?.content ?? '').includes('about to be replaced by a summary');
    return chatAnswer({ text: asked ? SUMMARY : after });
  });
}

function postResponses(body: unknown, path = '/v1/responses'): Promise<Response> {
  return fetch(`${relay!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The compaction request the upstream got: the history, the prompt, no tools. */
function expectSummaryRequest(body: Record<string, any>): void {
  expect(body.tools).toBeUndefined();
  expect(body.messages.at(-1)).toEqual({ role: 'user', content: COMPACTION_PROMPT });
  expect(JSON.stringify(body.messages)).toContain('OLD-HISTORY-MARKER');
}

/** The turn after compaction: the summary in place of the old history. */
function expectExpanded(body: Record<string, any>): void {
  const text = JSON.stringify(body.messages);
  expect(text).toContain(SUMMARY);
  expect(text).not.toContain('OLD-HISTORY-MARKER');
  expect(body.messages.map((message: any) => message.role)).toEqual(['system', 'user', 'user', 'user']);
}

it('answers a compaction trigger over HTTP with exactly one compaction item, and expands it on the next turn', async () => {
  upstream = await summarizingUpstream();
  relay = await startTestRelay(upstream.baseUrl);
  const events = await readSse(await postResponses({ ...COMMON, input: [...HISTORY, { type: 'compaction_trigger' }] }));
  expect(events.map((event) => event.type)).toEqual([
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.output_item.done',
    'response.completed',
  ]);
  const output = events.at(-1)!.response.output;
  expect(output).toEqual([
    { type: 'compaction', id: expect.stringMatching(/^cmp_/), encrypted_content: expect.stringMatching(/^rc1\./) },
  ]);
  expect(output[0].encrypted_content).not.toContain('git mv');
  expectSummaryRequest(upstream.requests[0]!.body);

  // What Codex sends next: the user messages it keeps, the item verbatim, the new request.
  const next = await readSse(
    await postResponses({ ...COMMON, input: [user('Rename the parser.'), output[0], user('Update the imports.')] }),
  );
  expect(next.at(-1)!.response.output[0].content[0].text).toBe('Imports updated.');
  expectExpanded(upstream.requests[1]!.body);
});

it('compacts over the WebSocket, and the next turn on the compaction response gets the summary instead of the history', async () => {
  upstream = await summarizingUpstream();
  relay = await startTestRelay(upstream.baseUrl);
  socket = await ResponsesWebSocket.open(relay.url);
  const first = await socket.turn({ ...COMMON, input: HISTORY });
  const compacted = await socket.turn({
    ...COMMON,
    input: [{ type: 'compaction_trigger' }],
    previous_response_id: first.at(-1)!.response.id,
  });
  const response = compacted.at(-1)!.response;
  expect(compacted.at(-1)!.type).toBe('response.completed');
  expect(response.output).toHaveLength(1);
  expect(response.output[0].type).toBe('compaction');
  expectSummaryRequest(upstream.requests[1]!.body);

  // Incremental on the compaction response: the chain holds the old history, the item replaces it.
  const after = await socket.turn({
    ...COMMON,
    input: [user('Update the imports.')],
    previous_response_id: response.id,
  });
  expect(after.at(-1)!.response.status).toBe('completed');
  expectExpanded(upstream.requests[2]!.body);
});

it('drops a compaction item the relay did not write and answers the turn from what remains', async () => {
  upstream = await summarizingUpstream('Carried on.');
  relay = await startTestRelay(upstream.baseUrl);
  const events = await readSse(
    await postResponses({
      ...COMMON,
      input: [user('Hello.'), { type: 'compaction', encrypted_content: 'gAAAAABpM0Yj-from-openai=' }, user('Go on.')],
    }),
  );
  expect(events.at(-1)!.response.output[0].content[0].text).toBe('Carried on.');
  expect(upstream.requests[0]!.body.messages.map((message: any) => message.role)).toEqual(['system', 'user', 'user']);
});

it('answers POST /v1/responses/compact with the user messages and one compaction item', async () => {
  upstream = await summarizingUpstream();
  relay = await startTestRelay(upstream.baseUrl);
  const { stream: _stream, store: _store, ...v1 } = COMMON;
  const response = await postResponses({ ...v1, input: HISTORY }, '/v1/responses/compact');
  expect(response.status).toBe(200);
  const body = (await response.json()) as Record<string, any>;
  expect(body.object).toBe('response.compaction');
  expect(body.output).toEqual([
    HISTORY[0],
    { type: 'compaction', id: expect.stringMatching(/^cmp_/), encrypted_content: expect.stringMatching(/^rc1\./) },
  ]);
  expectSummaryRequest(upstream.requests[0]!.body);

  const next = await readSse(await postResponses({ ...COMMON, input: [...body.output, user('Update the imports.')] }));
  expect(next.at(-1)!.response.status).toBe('completed');
  expectExpanded(upstream.requests[1]!.body);
});
