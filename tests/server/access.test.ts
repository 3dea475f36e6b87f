/** The relay's token, request ids, the body size limit and the upstream concurrency limit, over real HTTP. */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { answerAfter, createGate, metricValue, postResponse, readUntil, until } from '../faults/support.js';
import { finishChunk, type MockReply, type MockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';
import { readSse, type TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

const TOKEN = 'relay-token-0123456789';
const answer: MockReply = { kind: 'sse', chunks: [...textChunks('ok'), finishChunk('stop'), usageChunk(5, 1)] };

async function setup(server: TestRelayOptions['server'], reply: (index: number) => MockReply = () => answer) {
  upstream = await servers.mockUpstream((_request, index) => reply(index));
  relay = await servers.relay(upstream.baseUrl, { server });
  return relay;
}

describe('the relay token', () => {
  it('lets requests with the token through, as a Bearer token or x-api-key', async () => {
    await setup({ authToken: TOKEN });
    const bearer = await postResponse(relay!.url, { model: 'm', input: 'hi' }, { authorization: `Bearer ${TOKEN}` });
    expect(bearer.status).toBe(200);
    const apiKey = await postResponse(relay!.url, { model: 'm', input: 'hi' }, { 'x-api-key': TOKEN });
    expect(apiKey.status).toBe(200);
    expect(upstream!.requests).toHaveLength(2);
  });

  it('answers a missing or wrong token with a 401 in the OpenAI shape, on every route but the probes', async () => {
    await setup({ authToken: TOKEN });
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer nope' }, { authorization: TOKEN }];
    for (const headers of attempts) {
      const response = await postResponse(relay!.url, { model: 'm', input: 'hi' }, headers);
      expect(response.status).toBe(401);
      expect(((await response.json()) as any).error).toMatchObject({
        type: 'authentication_error',
        code: 'invalid_api_key',
      });
    }
    for (const path of ['/v1/models', '/metrics', '/v1/responses/resp_abc', '/no/such/route']) {
      expect((await fetch(`${relay!.url}${path}`)).status, path).toBe(401);
    }
    expect((await fetch(`${relay!.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${relay!.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${relay!.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect(upstream!.requests).toHaveLength(0);
  });
});

describe('request ids', () => {
  it('echoes the client’s x-request-id, or a new one, on every kind of reply', async () => {
    await setup({ authToken: TOKEN });
    const auth = { authorization: `Bearer ${TOKEN}` };
    const streamed = await postResponse(
      relay!.url,
      { model: 'm', input: 'hi', stream: true },
      { ...auth, 'x-request-id': 'client-id-1' },
    );
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(streamed.headers.get('x-request-id')).toBe('client-id-1');
    await streamed.text();
    const whole = await postResponse(relay!.url, { model: 'm', input: 'hi' }, auth);
    expect(whole.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const rejected = await postResponse(relay!.url, { model: 'm', input: 'hi' }, { 'x-request-id': 'client-id-2' });
    expect(rejected.status).toBe(401);
    expect(rejected.headers.get('x-request-id')).toBe('client-id-2');
    const missing = await fetch(`${relay!.url}/nowhere`, { headers: { ...auth, 'x-request-id': 'client-id-3' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('client-id-3');
    // An id with spaces or control characters is replaced, not echoed.
    const odd = await fetch(`${relay!.url}/healthz`, { headers: { 'x-request-id': 'two words' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^req_/);
  });
});

describe('the body size limit', () => {
  it('takes a Codex request with a large inline image under the default limit', async () => {
    await setup({});
    const image = `data:image/png;base64,${Buffer.alloc(6 * 1024 * 1024, 7).toString('base64')}`;
    const response = await postResponse(relay!.url, {
      model: 'm',
      stream: true,
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'what is this?' },
            { type: 'input_image', image_url: image, detail: 'high' },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    expect((await readSse(response)).at(-1)!.type).toBe('response.completed');
    expect(upstream!.requests[0]!.body.messages[0].content[1].image_url.url).toBe(image);
  });

  it('answers a body over the limit with a 413 in the OpenAI shape, whether its length is declared or not', async () => {
    await setup({ maxBodyBytes: 64 * 1024 });
    const big = JSON.stringify({ model: 'm', input: 'x'.repeat(100 * 1024) });
    const declared = await postResponse(relay!.url, big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as any).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'request_too_large',
    });

    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(`${relay!.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 8192)
            controller.enqueue(bytes.slice(offset, offset + 8192));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as any).error.message).toContain('--max-body-mb');

    const small = await postResponse(relay!.url, { model: 'm', input: 'x'.repeat(1000) });
    expect(small.status).toBe(200);
    expect(upstream!.requests).toHaveLength(1);
  });
});

describe('the upstream concurrency limit', () => {
  it('queues past --max-concurrent, turns away past --max-queue with a retryable failure, and frees the slot when a stream ends', async () => {
    const gate = createGate();
    await setup({ maxConcurrent: 1, maxQueue: 1 }, (index) =>
      index === 0 ? { kind: 'custom', handle: (_request, response) => answerAfter(gate.opened, response) } : answer,
    );
    const first = await postResponse(relay!.url, { model: 'm', input: 'first', stream: true });
    const reader = first.body!.getReader();
    await readUntil(reader, 'response.output_text.delta');
    // The second waits for the slot; the third finds the queue full.
    const second = postResponse(relay!.url, { model: 'm', input: 'second', stream: true });
    await until(async () => (await queued()) === 1, 'the second request to queue');
    // A stream has started before the queue is checked: the refusal is a response.failed Codex retries.
    const third = await readSse(await postResponse(relay!.url, { model: 'm', input: 'third', stream: true }));
    expect(third.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(third[2]!.response.error.code).toBe('server_error');
    expect(third[2]!.response.error.message).toContain('concurrent upstream requests');
    const whole = await postResponse(relay!.url, { model: 'm', input: 'third' });
    expect(whole.status).toBe(503);
    expect(whole.headers.get('retry-after')).toBe('1');
    expect(((await whole.json()) as any).error).toMatchObject({ type: 'server_error', code: 'server_is_overloaded' });
    expect(upstream!.requests).toHaveLength(1);

    gate.open();
    await readUntil(reader, 'response.completed');
    const secondEvents = await readSse(await second);
    expect(secondEvents.at(-1)!.type).toBe('response.completed');
    expect(upstream!.requests).toHaveLength(2);
  });

  it('gives the slot back when the client of a stream goes away', async () => {
    await setup({ maxConcurrent: 1, maxQueue: 1 }, (index) =>
      index === 0
        ? { kind: 'custom', handle: (_request, response) => answerAfter(new Promise(() => undefined), response) }
        : answer,
    );
    const controller = new AbortController();
    const first = await postResponse(relay!.url, { model: 'm', input: 'first', stream: true }, {}, controller.signal);
    await readUntil(first.body!.getReader(), 'response.output_text.delta');
    const second = postResponse(relay!.url, { model: 'm', input: 'second', stream: true });
    await until(async () => (await queued()) === 1, 'the second request to queue');
    controller.abort();
    expect((await readSse(await second)).at(-1)!.type).toBe('response.completed');
    await until(() => upstream!.aborted === 1, 'the first upstream request to be aborted');
  });
});

/** Requests waiting for an upstream slot, as /metrics reports them. */
async function queued(): Promise<number> {
  const text = await (await fetch(`${relay!.url}/metrics`)).text();
  return metricValue(text, 'responses_relay_queued_requests') ?? 0;
}
