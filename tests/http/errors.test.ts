/** Bad input, unknown routes and upstream failures, over real HTTP. */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  deltaChunk,
  finishChunk,
  type MockReply,
  type MockUpstream,
  sleep,
  textChunks,
} from '../support/mock-upstream.js';
import { readSse, type TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

async function setup(reply: MockReply | ((index: number) => MockReply), options: TestRelayOptions = {}) {
  upstream = await servers.mockUpstream((_, index) => (typeof reply === 'function' ? reply(index) : reply));
  relay = await servers.relay(upstream.baseUrl, options);
}

function post(body: unknown, raw?: string): Promise<Response> {
  return fetch(`${relay!.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
}

describe('bad input', () => {
  it('answers invalid JSON with a 400 in the OpenAI error shape', async () => {
    await setup({ kind: 'json', status: 200, body: {} });
    const response = await post(undefined, '{"model": ');
    expect(response.status).toBe(400);
    const body = await (response.json() as Promise<any>);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json', param: null });
    expect(body.error.message).toContain('could not parse the JSON body');
  });

  it('names the missing parameter', async () => {
    await setup({ kind: 'json', status: 200, body: {} });
    const response = await post({ input: 'hi' });
    expect(response.status).toBe(400);
    expect((await (response.json() as Promise<any>)).error).toEqual({
      message: "Missing required parameter: 'model'.",
      type: 'invalid_request_error',
      param: 'model',
      code: 'missing_required_parameter',
    });
    expect(upstream!.requests).toHaveLength(0);
  });

  it('answers unknown routes with a JSON 404 and wrong methods with a 405', async () => {
    await setup({ kind: 'json', status: 200, body: {} });
    const missing = await fetch(`${relay!.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect((await (missing.json() as Promise<any>)).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${relay!.url}/v1/responses`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await (wrongMethod.json() as Promise<any>)).error.code).toBe('method_not_allowed');
  });
});

describe('upstream failures before the first byte', () => {
  it('turns an upstream 401 into a message Codex shows and stops on (streamed) or an HTTP 401 (whole)', async () => {
    await setup({
      kind: 'json',
      status: 401,
      body: { error: { message: 'Invalid API key provided', type: 'authentication_error' } },
    });
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(events[2]!.response.error).toMatchObject({ code: 'invalid_prompt' });
    expect(events[2]!.response.error.message).toContain('Invalid API key provided');
    const response = await post({ model: 'm', input: 'hi', stream: false });
    expect(response.status).toBe(401);
    expect((await (response.json() as Promise<any>)).error.message).toContain('Invalid API key provided');
  });

  it('reports context overflow as context_length_exceeded so Codex compacts', async () => {
    await setup({
      kind: 'json',
      status: 400,
      body: {
        error: {
          message: "This model's maximum context length is 131072 tokens. However, you requested 140000 tokens.",
          type: 'invalid_request_error',
        },
      },
    });
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(events[2]!.response.error.code).toBe('context_length_exceeded');

    const response = await post({ model: 'm', input: 'hi' });
    expect(response.status).toBe(400);
    expect((await (response.json() as Promise<any>)).error.code).toBe('context_length_exceeded');
  });

  it('reports a 429 as rate_limit_exceeded with the delay Codex parses', async () => {
    await setup({
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { message: 'Rate limit reached' } },
    });
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    const error = events.at(-1)!.response.error;
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toMatch(/try again in 7s/);

    const response = await post({ model: 'm', input: 'hi' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('reports a balance problem as insufficient_quota', async () => {
    await setup({
      kind: 'json',
      status: 402,
      body: { error: { message: 'Insufficient Balance', type: 'unknown_error' } },
    });
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(events.at(-1)!.response.error.code).toBe('insufficient_quota');
  });

  it('reports 503 and other 5xx as server_error, which Codex retries', async () => {
    await setup((index) => ({
      kind: 'json',
      status: index === 0 ? 503 : 500,
      body: { error: { message: index === 0 ? 'busy' : 'boom' } },
    }));
    const first = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(first.at(-1)!.response.error.code).toBe('server_error');
    expect(first.at(-1)!.response.error.message).toContain('overloaded');
    const second = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(second.at(-1)!.response.error.code).toBe('server_error');
  });

  it('reports an unreachable upstream as a retryable failure', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'json', status: 200, body: {} }));
    const deadUrl = upstream.baseUrl;
    await upstream.close();
    relay = await servers.relay(deadUrl);
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(events.at(-1)!.response.error.message).toMatch(/Could not reach/);
    upstream = undefined;
  });
});

describe('upstream failures in the middle of the stream', () => {
  it('fails on a malformed chunk', async () => {
    await setup({ kind: 'sse', chunks: [...textChunks('a'), 'data: {not json\n\n', finishChunk('stop')] });
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(events.at(-1)!.response.error.message).toContain('malformed chunk');
    // A code Codex retries.
    expect(events.at(-1)!.response.error.code).toBe('server_error');
  });

  it('fails when the connection closes before a finish reason', async () => {
    await setup({
      kind: 'custom',
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify(deltaChunk({ content: 'half' }))}\n\n`);
        setTimeout(() => response.socket?.destroy(), 20);
      },
    });
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    // What arrived is delivered; the turn then fails with a code Codex retries.
    expect(events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta)).toEqual([
      'half',
    ]);
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(events.at(-1)!.response.error.code).toBe('server_error');
  });

  it('fails when the upstream stays silent past the idle timeout', async () => {
    await setup(
      {
        kind: 'custom',
        handle: async (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write(`data: ${JSON.stringify(deltaChunk({ content: 'then nothing' }))}\n\n`);
          await sleep(2_000);
          response.end();
        },
      },
      { timeouts: { idleMs: 200 } },
    );
    const events = await readSse(await post({ model: 'm', input: 'hi', stream: true }));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(events.at(-1)!.response.error.message).toContain('went silent');
    expect(events.at(-1)!.response.error.code).toBe('server_error');
  });

  it('returns the failure as an HTTP error for stream: false', async () => {
    await setup({ kind: 'sse', chunks: [...textChunks('a'), { error: { message: 'overloaded, please retry' } }] });
    const response = await post({ model: 'm', input: 'hi' });
    expect(response.status).toBe(503);
    expect((await (response.json() as Promise<any>)).error.code).toBe('server_is_overloaded');
  });
});
