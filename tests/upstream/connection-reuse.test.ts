/**
 * A finished turn gives its upstream connection back to the keep-alive pool,
 * so the next turn does not pay for a new connection (through a proxy: a new
 * CONNECT and TLS handshake). The mock upstream ends its body a moment after
 * `[DONE]`, as providers do, so the relay has seen the end of the stream
 * before the end of the HTTP message; a turn the client leaves still closes
 * its upstream connection.
 */
import type { Socket } from 'node:net';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { finishChunk, type MockUpstream, sleep, textChunks, usageChunk } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
let dispatcher: Agent | undefined;

/**
 * One connection at most: a second turn waits for the first one's connection,
 * which it gets back if it went to the pool and a new one otherwise.
 */
async function startRelayWithOneConnection(baseUrl: string): Promise<RunningRelay> {
  dispatcher = servers.track(new Agent({ connections: 1 }));
  return servers.relay(baseUrl, { server: { dispatcher } });
}

interface CountingUpstream {
  upstream: MockUpstream;
  /** Every connection a request arrived on. */
  sockets: Set<Socket>;
}

/** Streams a short answer; `[DONE]`, then the end of the body on a later write. */
async function startCountingUpstream(options: { pieces: number; pauseMs: number }): Promise<CountingUpstream> {
  const sockets = new Set<Socket>();
  const chunks = [
    ...textChunks(...Array.from({ length: options.pieces }, (_, index) => `word${index} `)),
    finishChunk('stop'),
    usageChunk(4, options.pieces),
  ];
  const started = await servers.mockUpstream(
    () => ({
      kind: 'custom',
      handle: async (request, response) => {
        sockets.add(request.socket);
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const chunk of chunks) {
          if (response.destroyed) return;
          response.write(`data: ${JSON.stringify(chunk)}\n\n`);
          if (options.pauseMs > 0) await sleep(options.pauseMs);
        }
        if (response.destroyed) return;
        response.write('data: [DONE]\n\n');
        await sleep(20);
        response.end();
      },
    }),
    [],
    { keepAliveTimeoutMs: 60_000 },
  );
  return { upstream: started, sockets };
}

function turn(stream: boolean, signal?: AbortSignal): Promise<Response> {
  return fetch(`${relay!.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-model', input: 'hi', stream }),
    ...(signal ? { signal } : {}),
  });
}

describe('upstream connections', () => {
  it.each([
    ['streamed', true],
    ['not streamed', false],
  ])('are reused by two sequential %s turns', async (_name, stream) => {
    const counting = await startCountingUpstream({ pieces: 3, pauseMs: 0 });
    upstream = counting.upstream;
    relay = await startRelayWithOneConnection(upstream.baseUrl);
    for (let index = 0; index < 2; index++) {
      const response = await turn(stream);
      expect(response.status).toBe(200);
      if (stream) {
        const events = await readSse(response);
        expect(events.at(-1)?.type).toBe('response.completed');
      } else {
        const body = (await response.json()) as { status: string };
        expect(body.status).toBe('completed');
      }
    }
    expect(upstream.requests).toHaveLength(2);
    expect(counting.sockets.size).toBe(1);
  });

  it('are closed when the client leaves a turn', async () => {
    const counting = await startCountingUpstream({ pieces: 200, pauseMs: 10 });
    upstream = counting.upstream;
    relay = await startRelayWithOneConnection(upstream.baseUrl);
    const controller = new AbortController();
    const response = await turn(true, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    for (let attempt = 0; attempt < 100 && upstream.aborted === 0; attempt++) await sleep(50);
    expect(upstream.aborted).toBe(1);
    expect([...counting.sockets].every((socket) => socket.destroyed)).toBe(true);
  });
});
