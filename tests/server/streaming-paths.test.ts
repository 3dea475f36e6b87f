/**
 * A streamed turn is written two ways: straight to the Node socket when the
 * relay serves it, and as a web ReadableStream when the app is used in
 * memory (`app.request`). Both must carry the same events, and a client
 * that leaves must stop the upstream request on either.
 */
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import { ModelRouter } from '../../src/routing/router.js';
import { createApp } from '../../src/server/app.js';
import { createServices } from '../../src/server/services.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { finishChunk, type MockUpstream, sleep, textChunks, usageChunk } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
let dispatcher: Agent | undefined;

function inMemoryApp(baseUrl: string) {
  dispatcher = servers.track(new Agent());
  const router = new ModelRouter(
    [{ name: 'generic', profile: genericProvider, endpoint: { baseUrl, apiKey: undefined } }],
    'generic',
  );
  const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
  const services = createServices({
    router,
    logger: silentLogger(),
    retryPolicy: { maxRetries: 0 },
    heartbeatMs: 20_000,
    processMetrics: false,
    dispatcher,
    store,
  });
  return createApp(services);
}

const REQUEST = { model: 'mock-model', input: 'hi', stream: true };

/** Waits (bounded) until the mock upstream has seen a request closed early. */
async function waitForUpstreamAbort(mock: MockUpstream): Promise<void> {
  for (let attempt = 0; attempt < 100 && mock.aborted === 0; attempt++) await sleep(50);
}

describe('streamed turns', () => {
  it('carry the same events in memory as over the Node server', async () => {
    const pieces = ['One ', 'two ', 'three.'];
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      delayMs: 5,
      chunks: [...textChunks(...pieces), finishChunk('stop'), usageChunk(4, 3)],
    }));

    const inMemory = await inMemoryApp(upstream.baseUrl).request('/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REQUEST),
    });
    expect(inMemory.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const memoryEvents = await readSse(inMemory);

    relay = await servers.relay(upstream.baseUrl);
    const served = await fetch(`${relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REQUEST),
    });
    expect(served.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const servedEvents = await readSse(served);

    const shape = (events: Array<Record<string, any>>) =>
      events.map((event) => [event.type, event.sequence_number, event.delta ?? null]);
    expect(shape(servedEvents)).toEqual(shape(memoryEvents));
    expect(
      memoryEvents.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta),
    ).toEqual(pieces);
    expect(servedEvents.at(-1)!.response.output[0].content[0].text).toBe('One two three.');
  });

  it('stop the upstream request when the client leaves the Node server', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      delayMs: 40,
      chunks: [...textChunks(...Array.from({ length: 100 }, (_, index) => `w${index} `)), finishChunk('stop')],
    }));
    relay = await servers.relay(upstream.baseUrl);
    const controller = new AbortController();
    const response = await fetch(`${relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REQUEST),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('response.output_text.delta')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();

    await waitForUpstreamAbort(upstream);
    expect(upstream.aborted).toBe(1);
  });

  it('stop the upstream request when the in-memory body is cancelled', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      delayMs: 40,
      chunks: [...textChunks(...Array.from({ length: 100 }, (_, index) => `w${index} `)), finishChunk('stop')],
    }));
    const response = await inMemoryApp(upstream.baseUrl).request('/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(REQUEST),
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('response.output_text.delta')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();

    await waitForUpstreamAbort(upstream);
    expect(upstream.aborted).toBe(1);
  });
});
