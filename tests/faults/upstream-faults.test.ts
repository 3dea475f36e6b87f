/**
 * Upstreams that misbehave, against a real relay on loopback: errors after
 * HTTP 200, streams without [DONE], timeouts of every kind, rate limits and
 * servers that fail forever. (Malformed chunks, a connection closed mid-stream
 * and an idle stall are in tests/http/errors.test.ts.) Whatever happens, the
 * client gets a terminal event with a code Codex acts on, the upstream
 * request is stopped, and no promise is left unhandled.
 */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { DEFAULT_RETRY_POLICY } from '../../src/upstream/retry-policy.js';
import {
  deltaChunk,
  finishChunk,
  type MockReply,
  type MockUpstream,
  sleep,
  textChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse, type TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';
import { failOnProcessErrors, metricValue, postResponse, until } from './support.js';

const servers = useTestServers('never');
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
failOnProcessErrors(() => servers.closeAll());

async function setup(reply: (index: number) => MockReply, options: TestRelayOptions = {}) {
  upstream = await servers.mockUpstream((_request, index) => reply(index));
  relay = await servers.relay(upstream.baseUrl, options);
  return relay;
}

const stream = (input = 'hi') => postResponse(relay!.url, { model: 'm', input, stream: true });

/** Writes one text chunk every `everyMs` until the client goes away. */
function endless(everyMs: number): MockReply {
  return {
    kind: 'custom',
    handle: async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 10_000 && !response.destroyed; index++) {
        response.write(`data: ${JSON.stringify(deltaChunk({ content: `${index} ` }))}\n\n`);
        await sleep(everyMs);
      }
      response.end();
    },
  };
}

async function activeStreams(): Promise<number | undefined> {
  return metricValue(await (await fetch(`${relay!.url}/metrics`)).text(), 'responses_relay_active_streams');
}

describe('an error after HTTP 200', () => {
  it('ends the stream with the code the error maps to, after the text already sent', async () => {
    await setup(() => ({
      kind: 'sse',
      chunks: [
        ...textChunks('partial '),
        {
          error: {
            message: 'Rate limit reached for tokens per minute. Please try again in 20s.',
            code: 'rate_limit_exceeded',
          },
        },
      ],
    }));
    const events = await readSse(await stream());
    expect(events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta)).toEqual([
      'partial ',
    ]);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.failed');
    expect(last.response.error.code).toBe('rate_limit_exceeded');
    expect(last.response.error.message).toMatch(/try again in 20s/);
  });

  it('treats a finish_reason of "error" as a failure, not a completion', async () => {
    await setup(() => ({
      kind: 'sse',
      chunks: [...textChunks('so far'), { ...finishChunk('error'), error: { message: 'The server is overloaded' } }],
    }));
    const last = (await readSse(await stream())).at(-1)!;
    expect(last.type).toBe('response.failed');
    // Overloaded, which passes: a code Codex retries.
    expect(last.response.error.code).toBe('server_error');
    expect(last.response.error.message).toContain('overloaded');
  });
});

describe('a stream without [DONE]', () => {
  it('completes when the model finished and the body simply ends', async () => {
    await setup(() => ({
      kind: 'sse',
      chunks: [...textChunks('all ', 'there'), finishChunk('stop'), usageChunk(3, 2)],
      done: false,
    }));
    const events = await readSse(await stream());
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.at(-1)!.response.output[0].content[0].text).toBe('all there');
    expect(events.at(-1)!.response.usage.total_tokens).toBe(5);
  });

  it('fails closed when the body ends cleanly before any finish reason', async () => {
    await setup(() => ({ kind: 'sse', chunks: textChunks('cut ', 'short'), done: false }));
    const last = (await readSse(await stream())).at(-1)!;
    expect(last.type).toBe('response.failed');
    expect(last.response.error.code).toBe('server_error');
    expect(last.response.error.message).toContain('no finish_reason');
  });
});

describe('timeouts', () => {
  it('fails a response whose upstream never starts answering (first-byte timeout)', async () => {
    await setup(() => ({ kind: 'custom', handle: () => new Promise<void>(() => undefined) }), {
      timeouts: { firstByteMs: 200 },
    });
    const last = (await readSse(await stream())).at(-1)!;
    expect(last.type).toBe('response.failed');
    expect(last.response.error.code).toBe('server_error');
    expect(last.response.error.message).toContain('did not start answering in time');
  });

  it('ends a response that outlives the total timeout with response.failed and stops the upstream', async () => {
    await setup(() => endless(20), { timeouts: { totalMs: 400 }, heartbeatMs: 50 });
    const events = await readSse(await stream());
    expect(events.filter((event) => event.type === 'response.output_text.delta').length).toBeGreaterThan(0);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.failed');
    // server_error: Codex retries it.
    expect(last.response.error.code).toBe('server_error');
    expect(last.response.error.message).toContain('total timeout');
    await until(() => upstream!.aborted === 1, 'the upstream request to be aborted');
    expect(await activeStreams()).toBe(0);
  });

  it('applies the total timeout while the upstream has not answered yet', async () => {
    await setup(() => ({ kind: 'custom', handle: () => new Promise<void>(() => undefined) }), {
      timeouts: { totalMs: 300 },
    });
    const last = (await readSse(await stream())).at(-1)!;
    expect(last.type).toBe('response.failed');
    expect(last.response.error.message).toContain('total timeout');
    const whole = await postResponse(relay!.url, { model: 'm', input: 'hi' });
    expect(whole.status).toBe(502);
    expect(((await whole.json()) as any).error.message).toContain('total timeout');
    await until(() => upstream!.aborted === 2, 'both upstream requests to be aborted');
  });
});

describe('rate limits and failing servers', () => {
  it('gets a client that retries like Codex through a 429 followed by a 200', async () => {
    await setup((index) =>
      index === 0
        ? {
            kind: 'json',
            status: 429,
            headers: { 'retry-after': '0' },
            body: { error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } },
          }
        : { kind: 'sse', chunks: [...textChunks('after the wait'), finishChunk('stop')] },
    );
    // The relay either retries the upstream itself or reports rate_limit_exceeded with a delay for
    // the client to honour; a client that retries what Codex retries gets the answer either way.
    const seen: string[] = [];
    let last: Record<string, any> | undefined;
    for (let attempt = 0; attempt < 3 && last?.type !== 'response.completed'; attempt++) {
      last = (await readSse(await stream())).at(-1)!;
      seen.push(last.type === 'response.failed' ? last.response.error.code : last.type);
      if (last.type === 'response.failed') expect(last.response.error.message).toMatch(/try again in \d+(\.\d+)?s/);
    }
    expect(seen.at(-1)).toBe('response.completed');
    expect(seen.slice(0, -1).every((code) => code === 'rate_limit_exceeded')).toBe(true);
    expect(last!.response.output[0].content[0].text).toBe('after the wait');
    expect(upstream!.requests).toHaveLength(2);
  });

  it('reports a server that answers 500 forever as a retryable failure, without hammering it, and stays up', async () => {
    await setup(() => ({ kind: 'json', status: 500, body: { error: { message: 'internal error' } } }));
    const streamed = (await readSse(await stream())).at(-1)!;
    expect(streamed.type).toBe('response.failed');
    expect(streamed.response.error.code).toBe('server_error');
    const whole = await postResponse(relay!.url, { model: 'm', input: 'hi' });
    expect(whole.status).toBe(502);
    expect(((await whole.json()) as any).error.code).toBe('server_error');
    // At most the retry policy's attempts per request, whether or not the relay retries.
    expect(upstream!.requests.length).toBeLessThanOrEqual(2 * (DEFAULT_RETRY_POLICY.maxRetries + 1));
    expect((await fetch(`${relay!.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${relay!.url}/metrics`)).text();
    expect(
      metricValue(metrics, 'responses_relay_upstream_errors_total', { provider: 'generic', code: 'server_error' }),
    ).toBe(2);
    expect(await activeStreams()).toBe(0);
  });
});
