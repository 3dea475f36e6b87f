/**
 * The benchmark's paths carry the same content: the mock upstream
 * directly, the byte pipe and the rewriting pipe in front of it, and the relay, checked with the
 * same validation the benchmark runs before it measures anything.
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBytePipe } from '../../bench/relay/byte-pipe.js';
import {
  createClientAgent,
  markersFor,
  type PathName,
  readStream,
  type StreamTarget,
  timeStream,
} from '../../bench/relay/client.js';
import { startMockUpstream } from '../../bench/relay/mock-upstream.js';
import { validateStream } from '../../bench/relay/validate.js';
import { codexLikeRequest, STREAM_VARIANTS } from '../../bench/relay/workload.js';
import type { RunningServer } from '../../bench/support/listen.js';
import { genericProvider } from '../../src/providers/generic.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { startTestRelay } from '../support/relay.js';

const CHUNKS = 60;
let upstream: RunningServer;
let pipe: RunningServer;
let rewritingPipe: RunningServer;
let relay: RunningRelay;
const targets = {} as Record<PathName, StreamTarget>;

beforeAll(async () => {
  upstream = await startMockUpstream({ host: '127.0.0.1', port: 0, chunks: CHUNKS, eventsPerWrite: 1 });
  pipe = await startBytePipe({ host: '127.0.0.1', port: 0, upstreamUrl: upstream.url });
  rewritingPipe = await startBytePipe({ host: '127.0.0.1', port: 0, upstreamUrl: upstream.url, rewrite: true });
  relay = await startTestRelay(`${upstream.url}/v1`);
  const endpoints: Record<PathName, string> = {
    direct: `${upstream.url}/v1/chat/completions`,
    pipe: `${pipe.url}/v1/chat/completions`,
    relay: `${relay.url}/v1/responses`,
  };
  for (const path of ['direct', 'pipe', 'relay'] as const)
    targets[path] = { path, url: new URL(endpoints[path]), agent: createClientAgent(), ...markersFor(path) };
});

afterAll(async () => {
  for (const target of Object.values(targets)) target.agent.destroy();
  await relay?.close();
  await pipe?.close();
  await rewritingPipe?.close();
  await upstream?.close();
});

describe('benchmark paths', () => {
  for (const variant of STREAM_VARIANTS) {
    it(`stream the complete ${variant} content on every path`, async () => {
      const responses = codexLikeRequest(variant, { chunks: CHUNKS, mcpTools: 2 });
      const { request, notes } = parseResponsesRequest(responses);
      const chat = Buffer.from(JSON.stringify(buildChatRequest(request, genericProvider, request.model, notes).body));
      const bodies: Record<PathName, Buffer> = {
        direct: chat,
        pipe: chat,
        relay: Buffer.from(JSON.stringify(responses)),
      };
      for (const path of ['direct', 'pipe', 'relay'] as const) {
        validateStream(path, variant, CHUNKS, await readStream(targets[path], bodies[path]));
        const timing = await timeStream(targets[path], bodies[path]);
        expect(timing.bytes).toBeGreaterThan(0);
      }
      const rewrite: StreamTarget = {
        path: 'rewrite',
        url: new URL(`${rewritingPipe.url}/v1/chat/completions`),
        agent: createClientAgent(),
        ...markersFor('rewrite'),
      };
      validateStream('rewrite', variant, CHUNKS, await readStream(rewrite, chat));
      rewrite.agent.destroy();
    });
  }

  it('rewriting pipe: the upstream gets the request parsed and serialised again, with its new length', async () => {
    const received: Array<{ body: string; length: string | undefined }> = [];
    const capture = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), length: request.headers['content-length'] });
        response.end('answer bytes');
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    const { port } = capture.address() as AddressInfo;
    const hop = await startBytePipe({
      host: '127.0.0.1',
      port: 0,
      upstreamUrl: `http://127.0.0.1:${port}`,
      rewrite: true,
    });
    try {
      const pretty = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'héllo' }] }, null, 2);
      const answer = await fetch(`${hop.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: pretty,
      });
      expect(await answer.text()).toBe('answer bytes');
      const compact = JSON.stringify(JSON.parse(pretty));
      expect(received).toEqual([{ body: compact, length: String(Buffer.byteLength(compact)) }]);
    } finally {
      await hop.close();
      await new Promise((resolve) => capture.close(resolve));
    }
  });

  it('reuse one upstream connection per hop over sequential streams (the pipe and the relay keep theirs alive)', async () => {
    const responses = codexLikeRequest('text', { chunks: CHUNKS, mcpTools: 2 });
    const { request, notes } = parseResponsesRequest(responses);
    const bodies = {
      pipe: Buffer.from(JSON.stringify(buildChatRequest(request, genericProvider, request.model, notes).body)),
      relay: Buffer.from(JSON.stringify(responses)),
    };
    for (const path of ['pipe', 'relay'] as const) await timeStream(targets[path], bodies[path]);
    const opened = upstream.connections();
    for (let iteration = 0; iteration < 5; iteration++) {
      for (const path of ['pipe', 'relay'] as const) await timeStream(targets[path], bodies[path]);
    }
    expect(upstream.connections()).toBe(opened);
  });

  it('answers an unknown model with a 404 the client reports', async () => {
    const body = Buffer.from(JSON.stringify({ model: 'not-a-bench-model', messages: [] }));
    await expect(timeStream(targets.direct, body)).rejects.toThrow(/HTTP 404/);
  });
});
