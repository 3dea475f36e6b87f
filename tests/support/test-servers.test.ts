/** The shared set-up of relay + upstream tests closes what a test started, in the right order. */
import { describe, expect, it } from 'vitest';
import { textChunks } from './mock-upstream.js';
import { type Closable, useTestServers } from './test-servers.js';

function recorder(closed: string[], name: string, failure?: Error): Closable {
  return {
    close: async () => {
      closed.push(name);
      if (failure) throw failure;
    },
  };
}

describe('useTestServers', () => {
  describe('after each test', () => {
    const servers = useTestServers();
    let relayUrl = '';
    let upstreamUrl = '';

    it('starts an upstream and a relay in front of it', async () => {
      const upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: textChunks('hi') }));
      const relay = await servers.relay(upstream.baseUrl);
      const response = await fetch(`${relay.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', input: 'hello' }),
      });
      expect(((await response.json()) as { output: unknown[] }).output).toHaveLength(1);
      relayUrl = relay.url;
      upstreamUrl = upstream.baseUrl;
    });

    it('has closed both once the test is over', async () => {
      await expect(fetch(`${relayUrl}/health`)).rejects.toThrow();
      await expect(fetch(`${upstreamUrl}/models`)).rejects.toThrow();
    });
  });

  it('closes newest first, tries every close and throws the first failure', async () => {
    const servers = useTestServers('never');
    const closed: string[] = [];
    servers.track(recorder(closed, 'upstream'));
    servers.track(recorder(closed, 'relay', new Error('relay close failed')));
    servers.track(recorder(closed, 'socket', new Error('socket close failed')));

    await expect(servers.closeAll()).rejects.toThrow('socket close failed');
    expect(closed).toEqual(['socket', 'relay', 'upstream']);
    // Closed once: a second call has nothing left to close.
    await servers.closeAll();
    expect(closed).toHaveLength(3);
  });
});
