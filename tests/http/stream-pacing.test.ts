/**
 * Real upstreams send chunks one network read at a time, and many reads
 * produce no client event (the role-only first chunk, the finish chunk,
 * usage). The relay must read on after such a read instead of waiting for
 * the next heartbeat.
 */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { deltaChunk, finishChunk, type MockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

describe('a stream whose chunks arrive one read at a time', () => {
  it('completes without waiting for a heartbeat after reads that produce no event', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      delayMs: 15,
      chunks: [deltaChunk({ role: 'assistant' }), ...textChunks('Hel', 'lo'), finishChunk('stop'), usageChunk(7, 2)],
    }));
    // A heartbeat long after the stream should have ended: one would show up as an extra in_progress event.
    relay = await servers.relay(upstream.baseUrl, { heartbeatMs: 20_000 });

    const response = await fetch(`${relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-model', input: 'hi', stream: true }),
    });
    const events = await readSse(response);

    expect(events.filter((event) => event.type === 'response.in_progress')).toHaveLength(1);
    const last = events.at(-1)!;
    expect(last.type).toBe('response.completed');
    expect(last.response.output[0].content[0].text).toBe('Hello');
    expect(last.response.usage.total_tokens).toBe(9);
  });
});
