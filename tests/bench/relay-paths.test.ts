/**
 * The benchmark's three paths carry the same content: the mock upstream
 * directly, the byte pipe in front of it, and the relay, checked with the
 * same validation the benchmark runs before it measures anything.
 */
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
let relay: RunningRelay;
const targets = {} as Record<PathName, StreamTarget>;

beforeAll(async () => {
  upstream = await startMockUpstream({ host: '127.0.0.1', port: 0, chunks: CHUNKS, eventsPerWrite: 1 });
  pipe = await startBytePipe({ host: '127.0.0.1', port: 0, upstreamUrl: upstream.url });
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
    });
  }

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
