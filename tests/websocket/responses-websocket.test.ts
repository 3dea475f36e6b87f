/**
 * The Responses WebSocket as Codex uses it: prewarm, turns that send only the
 * new items after `previous_response_id`, error events with a status, one
 * turn at a time, the gates on the upgrade, caps and shutdown.
 */
import { afterEach, expect, it, vi } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { compresses } from '../../src/server/websocket/websocket-hub.js';
import { InputTranslation } from '../../src/translate/request/incremental-input.js';
import { deltaChunk, finishChunk, type MockUpstream, sleep, startMockUpstream } from '../support/mock-upstream.js';
import { startTestRelay } from '../support/relay.js';
import { chatAnswer, longAnswer, pausedAnswer } from '../support/scripted-upstream.js';
import { ResponsesWebSocket } from '../support/websocket-client.js';

let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
const sockets: ResponsesWebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await relay?.close();
  await upstream?.close();
  relay = undefined;
});

async function open(headers: Record<string, string> = {}): Promise<ResponsesWebSocket> {
  const socket = await ResponsesWebSocket.open(relay!.url, headers);
  sockets.push(socket);
  return socket;
}

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
  tools: TOOLS,
  tool_choice: 'auto',
  parallel_tool_calls: false,
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
};
const developer = {
  type: 'message',
  role: 'developer',
  content: [{ type: 'input_text', text: 'You are a coding agent.' }],
};
const user = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files.' }] };

function toolThenText(): MockUpstream['script'] {
  return (_request, index) =>
    index === 0
      ? chatAnswer({ toolCalls: [{ id: 'call_1', name: 'shell', argumentPieces: ['{"cmd":', '"ls"}'] }] })
      : chatAnswer({ text: 'Two files.' });
}

it('prewarms without the upstream, then continues the chain with only the new items each turn', async () => {
  upstream = await startMockUpstream(toolThenText());
  relay = await startTestRelay(upstream.baseUrl);
  const socket = await open();

  const prewarm = await socket.turn({ ...COMMON, input: [developer], generate: false });
  expect(prewarm.map((event) => event.type)).toEqual([
    'response.created',
    'response.in_progress',
    'response.completed',
  ]);
  const prewarmId = prewarm.at(-1)!.response.id as string;
  expect(prewarmId).toMatch(/^resp_/);
  expect(prewarm.at(-1)!.response.output).toEqual([]);
  expect(upstream.requests).toHaveLength(0);

  const first = await socket.turn({ ...COMMON, input: [user], previous_response_id: prewarmId });
  const firstResponse = first.at(-1)!.response;
  expect(firstResponse.status).toBe('completed');
  expect(firstResponse.previous_response_id).toBe(prewarmId);
  const call = firstResponse.output.find((item: any) => item.type === 'function_call');
  expect(call.name).toBe('shell');
  expect(upstream.requests[0]!.body.messages.map((message: any) => message.role)).toEqual(['system', 'user']);

  const second = await socket.turn({
    ...COMMON,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a.txt b.txt' }],
    previous_response_id: firstResponse.id,
  });
  expect(second.at(-1)!.response.output[0].content[0].text).toBe('Two files.');
  // The upstream got the whole conversation: instructions, question, the call and its result.
  const messages = upstream.requests[1]!.body.messages;
  expect(messages.map((message: any) => message.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  expect(messages[2].tool_calls[0].function).toEqual({ name: 'shell', arguments: '{"cmd":"ls"}' });
  expect(messages[3]).toMatchObject({ tool_call_id: call.call_id, content: 'a.txt b.txt' });
});

it('translates only the new items of each turn, and the upstream gets what a whole-history POST would give it', async () => {
  upstream = await startMockUpstream((_request, index) =>
    index < 2
      ? chatAnswer({
          reasoning: `thinking ${index}`,
          toolCalls: [{ id: `call_${index}`, name: 'shell', argumentPieces: [`{"cmd":"ls ${index}"}`] }],
        })
      : chatAnswer({ text: 'Done.' }),
  );
  relay = await startTestRelay(upstream.baseUrl);
  const socket = await open();
  const extend = vi.spyOn(InputTranslation.prototype, 'extend');
  const history: unknown[] = [];
  let sentWhole: unknown[] = [];
  let previous: string | undefined;
  let input: unknown[] = [developer, user];
  for (let turn = 0; turn < 3; turn++) {
    history.push(...input);
    sentWhole = history.slice();
    const response = (
      await socket.turn({ ...COMMON, input, ...(previous ? { previous_response_id: previous } : {}) })
    ).at(-1)!.response;
    history.push(...response.output);
    previous = response.id;
    const call = response.output.find((item: any) => item.type === 'function_call');
    input = call ? [{ type: 'function_call_output', call_id: call.call_id, output: `files ${turn}` }] : [];
  }
  // Turns 2 and 3 extended the connection's translation.
  expect(extend.mock.results.map((result) => result.value !== undefined)).toEqual([true, true]);
  extend.mockRestore();
  const posted = await fetch(`${relay.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...COMMON, input: sentWhole }),
  });
  await posted.text();
  expect(upstream.requests[3]!.body).toEqual(upstream.requests[2]!.body);
});

it('restores reasoning a client dropped from the new items of a chain turn', async () => {
  upstream = await startMockUpstream((_request, index) =>
    index === 0
      ? chatAnswer({
          reasoning: 'thinking first',
          toolCalls: [{ id: 'call_0', name: 'shell', argumentPieces: ['{}'] }],
        })
      : chatAnswer({ text: 'Done.' }),
  );
  relay = await startTestRelay(upstream.baseUrl);
  // A stored response made the call, with its reasoning.
  const stored = (await (await open()).turn({ ...COMMON, store: true, input: [developer, user] })).at(-1)!.response;
  const call = stored.output.find((item: any) => item.type === 'function_call');
  // Another connection's chain, continued with that call replayed without its reasoning.
  const socket = await open();
  const prewarm = (await socket.turn({ ...COMMON, input: [developer], generate: false })).at(-1)!.response;
  const turn = await socket.turn({
    ...COMMON,
    input: [user, call, { type: 'function_call_output', call_id: call.call_id, output: 'a.txt' }],
    previous_response_id: prewarm.id,
  });
  expect(turn.at(-1)!.response.status).toBe('completed');
  const assistant = upstream.requests[1]!.body.messages.find((message: any) => message.role === 'assistant');
  expect(assistant.reasoning_content).toBe('thinking first');
});

it('answers an unknown previous response with a 400 previous_response_not_found error event, and the chains are per connection', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'ok' }));
  relay = await startTestRelay(upstream.baseUrl);
  const first = await open();
  const second = await open();
  const prewarmId = (await first.turn({ ...COMMON, input: [developer], generate: false })).at(-1)!.response.id;

  const unknown = await first.turn({ ...COMMON, input: [user], previous_response_id: 'resp_unknown' });
  expect(unknown).toEqual([
    { type: 'error', status: 400, error: expect.objectContaining({ code: 'previous_response_not_found' }) },
  ]);
  // The other connection cannot continue this one's chain (store: false).
  const foreign = await second.turn({ ...COMMON, input: [user], previous_response_id: prewarmId });
  expect(foreign.at(-1)).toMatchObject({ type: 'error', status: 400, error: { code: 'previous_response_not_found' } });
  // The socket still works after an error.
  expect((await first.turn({ ...COMMON, input: [user], previous_response_id: prewarmId })).at(-1)!.type).toBe(
    'response.completed',
  );
  expect(upstream.requests).toHaveLength(1);
});

it('continues a stored response from the session store on a new connection', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'stored answer' }));
  relay = await startTestRelay(upstream.baseUrl);
  const storedId = (await (await open()).turn({ model: 'm', input: 'remember 7', store: true })).at(-1)!.response.id;
  const later = await open();
  await later.turn({ model: 'm', input: 'what number?', previous_response_id: storedId });
  expect(upstream.requests[1]!.body.messages.map((message: any) => message.content)).toEqual([
    'remember 7',
    'stored answer',
    'what number?',
  ]);
});

it('drops the oldest responses past the per-connection cap', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'ok' }));
  relay = await startTestRelay(upstream.baseUrl, { server: { websocket: { maxChainResponses: 1 } } });
  const socket = await open();
  const prewarmId = (await socket.turn({ ...COMMON, input: [developer], generate: false })).at(-1)!.response.id;
  const firstId = (await socket.turn({ ...COMMON, input: [user], previous_response_id: prewarmId })).at(-1)!.response
    .id;
  expect((await socket.turn({ ...COMMON, input: [user], previous_response_id: prewarmId })).at(-1)).toMatchObject({
    type: 'error',
    error: { code: 'previous_response_not_found' },
  });
  expect((await socket.turn({ ...COMMON, input: [user], previous_response_id: firstId })).at(-1)!.type).toBe(
    'response.completed',
  );
});

it('refuses a second response.create while a turn runs, without interleaving events', async () => {
  upstream = await startMockUpstream(() =>
    pausedAnswer([deltaChunk({ role: 'assistant', content: 'slow ' })], 300, [
      deltaChunk({ content: 'answer' }),
      finishChunk('stop'),
    ]),
  );
  relay = await startTestRelay(upstream.baseUrl);
  const socket = await open();
  socket.send({ ...COMMON, input: [user] });
  socket.send({ ...COMMON, input: [user] });
  // The refusal arrives while the first turn streams; the first turn then completes on its own.
  const frames = await socket.nextTurn({ throughErrors: true });
  const errors = frames.filter((frame) => frame.type === 'error');
  expect(errors).toEqual([
    { type: 'error', status: 400, error: expect.objectContaining({ code: 'response_in_progress' }) },
  ]);
  const events = frames.filter((frame) => frame.type !== 'error');
  expect(events.at(-1)!.response.output[0].content[0].text).toBe('slow answer');
  expect(new Set(events.map((event) => event.response?.id ?? null).filter(Boolean)).size).toBe(1);
  expect(upstream.requests).toHaveLength(1);
});

it('aborts the upstream request when the client closes the socket', async () => {
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
  upstream = await startMockUpstream(() => longAnswer(upstreamClosed));
  relay = await startTestRelay(upstream.baseUrl);
  const socket = await open();
  socket.send({ ...COMMON, input: [user] });
  // Wait for the first delta, then leave.
  for (let attempt = 0; attempt < 200 && upstream.requests.length === 0; attempt++) await sleep(10);
  await sleep(100);
  socket.socket.terminate();
  await closed;
  expect(upstream.aborted).toBe(1);
});

it('checks the token, Host and Origin on the upgrade', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'ok' }));
  relay = await startTestRelay(upstream.baseUrl, { server: { authToken: 'relay-secret' } });
  await expect(open()).rejects.toMatchObject({ status: 401 });
  await expect(open({ authorization: 'Bearer wrong' })).rejects.toMatchObject({ status: 401 });
  await expect(open({ authorization: 'Bearer relay-secret', origin: 'https://evil.example' })).rejects.toMatchObject({
    status: 403,
  });
  await expect(open({ authorization: 'Bearer relay-secret', host: 'evil.example' })).rejects.toMatchObject({
    status: 421,
  });
  const refused = await open({ 'x-api-key': 'relay-secret', origin: 'https://evil.example' }).catch(
    (error: { body: string }) => JSON.parse(error.body),
  );
  expect(refused.error.code).toBe('origin_not_allowed');
  const socket = await open({ 'x-api-key': 'relay-secret' });
  expect((await socket.turn({ ...COMMON, input: [user] })).at(-1)!.type).toBe('response.completed');
});

it('answers past the connection cap with websocket_connection_limit_reached, and closes sockets going away on shutdown', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'ok' }));
  relay = await startTestRelay(upstream.baseUrl, { server: { websocket: { maxConnections: 1 } } });
  const first = await open();
  const second = await open();
  expect(await second.nextTurn()).toEqual([
    { type: 'error', status: 429, error: expect.objectContaining({ code: 'websocket_connection_limit_reached' }) },
  ]);
  expect(await second.closed).toBe(1013);
  await relay.shutdown({ graceMs: 2_000 });
  expect(await first.closed).toBe(1001);
});

it('refuses binary frames and messages that are not response.create with an error event', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'ok' }));
  relay = await startTestRelay(upstream.baseUrl);
  const socket = await open();
  socket.socket.send(JSON.stringify({ type: 'response.cancel' }));
  expect((await socket.nextTurn())[0]).toMatchObject({ type: 'error', status: 400, error: { param: 'type' } });
  socket.socket.send('{not json');
  expect((await socket.nextTurn())[0]).toMatchObject({ type: 'error', status: 400, error: { code: 'invalid_json' } });
  socket.socket.send(Buffer.from('{}'), { binary: true });
  expect((await socket.nextTurn())[0]).toMatchObject({ type: 'error', status: 400 });
  expect((await socket.turn({ ...COMMON, input: 'no model', model: undefined })).at(-1)).toMatchObject({
    type: 'error',
    status: 400,
  });
});

it('lets a turn in flight finish on shutdown, then closes the socket going away', async () => {
  upstream = await startMockUpstream(() =>
    pausedAnswer([deltaChunk({ role: 'assistant', content: 'before ' })], 300, [
      deltaChunk({ content: 'after' }),
      finishChunk('stop'),
    ]),
  );
  relay = await startTestRelay(upstream.baseUrl);
  const socket = await open();
  socket.send({ ...COMMON, input: [user] });
  for (let attempt = 0; attempt < 200 && upstream.requests.length === 0; attempt++) await sleep(10);
  const stopping = relay.shutdown({ graceMs: 10_000 });
  const turn = await socket.nextTurn();
  expect(turn.at(-1)!.response.output[0].content[0].text).toBe('before after');
  expect(await socket.closed).toBe(1001);
  await stopping;
});

it('keeps a silent upstream turn alive with response.in_progress frames', async () => {
  upstream = await startMockUpstream(() =>
    pausedAnswer([deltaChunk({ role: 'assistant', content: 'thinking ' })], 400, [
      deltaChunk({ content: 'done' }),
      finishChunk('stop'),
    ]),
  );
  relay = await startTestRelay(upstream.baseUrl, { heartbeatMs: 50 });
  const socket = await open();
  const turn = await socket.turn({ ...COMMON, input: [user] });
  const afterFirstDelta = turn.slice(turn.findIndex((event) => event.type === 'response.output_text.delta'));
  expect(afterFirstDelta.filter((event) => event.type === 'response.in_progress').length).toBeGreaterThan(0);
  expect(turn.at(-1)!.type).toBe('response.completed');
});

it('closes a socket left idle past the limit', async () => {
  upstream = await startMockUpstream(() => chatAnswer({ text: 'ok' }));
  relay = await startTestRelay(upstream.baseUrl, { server: { websocket: { pingIntervalMs: 20, idleTimeoutMs: 100 } } });
  const socket = await open();
  expect((await socket.turn({ ...COMMON, input: [user] })).at(-1)!.type).toBe('response.completed');
  expect(await socket.closed).toBe(1000);
});

it('holds messages to the body limit and turns to the concurrency limit', async () => {
  upstream = await startMockUpstream(() =>
    pausedAnswer([deltaChunk({ role: 'assistant', content: 'busy ' })], 300, [
      deltaChunk({ content: 'done' }),
      finishChunk('stop'),
    ]),
  );
  relay = await startTestRelay(upstream.baseUrl, { server: { maxBodyBytes: 4096, maxConcurrent: 1, maxQueue: 0 } });
  const first = await open();
  const second = await open();
  first.send({ ...COMMON, input: [user] });
  for (let attempt = 0; attempt < 200 && upstream.requests.length === 0; attempt++) await sleep(10);
  // The only upstream slot is taken and nothing may wait: the second turn fails as a streamed one does over HTTP (Codex retries it).
  const refused = await second.turn({ ...COMMON, input: [user] });
  expect(refused.at(-1)).toMatchObject({ type: 'response.failed', response: { error: { code: 'server_error' } } });
  expect((await first.nextTurn()).at(-1)!.type).toBe('response.completed');
  second.send({ ...COMMON, input: 'x'.repeat(5000) });
  expect(await second.closed).toBe(1009);
});

it('accepts permessage-deflate from remote clients (or always, when configured) and not on loopback', async () => {
  expect(compresses('remote', '127.0.0.1')).toBe(false);
  expect(compresses('remote', '::ffff:127.0.0.1')).toBe(false);
  expect(compresses('remote', '::1')).toBe(false);
  expect(compresses('remote', '192.168.1.20')).toBe(true);
  expect(compresses('never', '192.168.1.20')).toBe(false);
  upstream = await startMockUpstream(() => chatAnswer({ text: 'compressed' }));
  relay = await startTestRelay(upstream.baseUrl);
  expect((await open()).socket.extensions).toBe('');
  await relay.close();
  relay = await startTestRelay(upstream.baseUrl, { server: { websocket: { deflate: 'always' } } });
  const socket = await open();
  expect(socket.socket.extensions).toContain('permessage-deflate');
  expect((await socket.turn({ ...COMMON, input: [user] })).at(-1)!.response.output[0].content[0].text).toBe(
    'compressed',
  );
});
