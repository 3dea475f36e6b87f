/**
 * A slow first byte is not a silent wait: a streamed response sends its
 * headers and `response.created` at once and heartbeats while the upstream
 * holds its own headers, retries or falls back. The upstream here really
 * holds its headers until the client has seen a heartbeat, so the order of
 * events is proven without measuring time. What the relay can refuse on its
 * own stays an HTTP error.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { createGate, parseEvents, postResponse } from '../faults/support.js';
import { finishChunk, type MockReply, type MockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';
import type { TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

const HEARTBEAT_MS = 50;
const ANSWER = [...textChunks('worth the wait'), finishChunk('stop'), usageChunk(5, 3)];

/** Answers only once `gate` opens: no status line, no headers before that. */
function heldHeaders(gate: Promise<void>, reply: (response: ServerResponse) => void): MockReply {
  return {
    kind: 'custom',
    handle: async (_request, response) => {
      await gate;
      if (!response.destroyed) reply(response);
    },
  };
}

function answerWith(response: ServerResponse, chunks: object[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const chunk of chunks) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
  response.end('data: [DONE]\n\n');
}

/** Reads the stream until `count` events of `type` have arrived; returns the text so far. */
async function readUntilCount(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  type: string,
  count: number,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  // Only whole events are parsed: a read may end in the middle of one.
  while (
    parseEvents(text.slice(0, text.lastIndexOf('\n\n') + 2)).filter((event) => event.type === type).length < count
  ) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before ${count} × ${type}: ${text.slice(-500)}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

async function readRest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  text: string,
): Promise<Array<Record<string, any>>> {
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return parseEvents(text);
    text += decoder.decode(value, { stream: true });
  }
}

async function setup(script: (index: number) => MockReply, options: TestRelayOptions = {}): Promise<RunningRelay> {
  upstream = await servers.mockUpstream((_request, index) => script(index));
  relay = await servers.relay(upstream.baseUrl, { heartbeatMs: HEARTBEAT_MS, ...options });
  return relay;
}

describe('a streamed response while the upstream holds its headers', () => {
  it('starts at once and heartbeats until the upstream answers, then streams the answer', async () => {
    const gate = createGate();
    await setup(() => heldHeaders(gate.opened, (response) => answerWith(response, ANSWER)));
    const response = await postResponse(relay!.url, { model: 'm', input: 'hi', stream: true });
    // Headers arrived although the upstream has sent none.
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const before = await readUntilCount(reader, 'response.in_progress', 3);
    expect(upstream!.requests).toHaveLength(1);
    // created, in_progress, then heartbeats (in_progress again), all before the upstream answered.
    const opening = parseEvents(before.slice(0, before.lastIndexOf('\n\n') + 2)).map((event) => event.type);
    expect(opening.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(new Set(opening.slice(2))).toEqual(new Set(['response.in_progress']));
    gate.open();
    const events = await readRest(reader, before);
    expect(
      events
        .filter((event) => event.type === 'response.output_text.delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe('worth the wait');
    expect(events.at(-1)!.type).toBe('response.completed');
    // One response throughout: the heartbeats and the answer carry the same id, in sequence.
    expect(new Set(events.filter((event) => event.response).map((event) => event.response.id)).size).toBe(1);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, index) => index));
  });

  it("keeps heartbeating through the relay's own retry", async () => {
    const gate = createGate();
    await setup(
      (index) =>
        index === 0
          ? heldHeaders(gate.opened, (response) => {
              response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
              response.end(JSON.stringify({ error: { message: 'The server is overloaded' } }));
            })
          : { kind: 'sse', chunks: ANSWER },
      { retryPolicy: { maxRetries: 1 } },
    );
    const response = await postResponse(relay!.url, { model: 'm', input: 'hi', stream: true });
    const reader = response.body!.getReader();
    const before = await readUntilCount(reader, 'response.in_progress', 3);
    gate.open();
    const events = await readRest(reader, before);
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(upstream!.requests).toHaveLength(2);
  });

  it('ends a failure before any output as response.failed with the code Codex acts on', async () => {
    const gate = createGate();
    await setup(() =>
      heldHeaders(gate.opened, (response) => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        response.end(JSON.stringify({ error: { message: 'Rate limit reached for requests' } }));
      }),
    );
    const response = await postResponse(relay!.url, { model: 'm', input: 'hi', stream: true });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const before = await readUntilCount(reader, 'response.in_progress', 3);
    gate.open();
    const events = await readRest(reader, before);
    const failed = events.at(-1)!;
    expect(failed.type).toBe('response.failed');
    // Codex does not retry an HTTP 429, but waits out a rate_limit_exceeded that says how long.
    expect(failed.response.error.code).toBe('rate_limit_exceeded');
    expect(failed.response.error.message).toMatch(/try again in 3s/);
  });
});

describe('what the relay refuses on its own stays an HTTP error', () => {
  it('answers bad JSON, a wrong content type, an invalid field and an unknown previous response with 4xx, never calling the upstream', async () => {
    await setup(() => ({ kind: 'sse', chunks: ANSWER }));
    const badJson = await postResponse(relay!.url, '{"model": "m", "stream": true,');
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as any).error.code).toBe('invalid_json');
    const wrongType = await postResponse(
      relay!.url,
      { model: 'm', input: 'hi', stream: true },
      { 'content-type': 'text/plain' },
    );
    expect(wrongType.status).toBe(415);
    const invalid = await postResponse(relay!.url, { model: 'm', input: 42, stream: true });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as any).error.type).toBe('invalid_request_error');
    const unknownPrevious = await postResponse(relay!.url, {
      model: 'm',
      input: 'hi',
      stream: true,
      previous_response_id: 'resp_missing',
    });
    expect(unknownPrevious.status).toBe(404);
    expect(upstream!.requests).toHaveLength(0);
  });
});
