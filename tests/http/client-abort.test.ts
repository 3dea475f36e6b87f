/** A client that goes away must not leave the upstream request running. */
import { expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { type MockUpstream, sleep } from '../support/mock-upstream.js';
import { longAnswer } from '../support/scripted-upstream.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

it('cancels the upstream request when the client disconnects mid-stream', async () => {
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
  upstream = await servers.mockUpstream(() => longAnswer(upstreamClosed));
  relay = await servers.relay(upstream.baseUrl);

  const controller = new AbortController();
  const response = await fetch(`${relay.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', input: 'long story', stream: true }),
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  let received = '';
  while (!received.includes('response.output_text.delta')) {
    const { value } = await reader.read();
    received += new TextDecoder().decode(value);
  }
  controller.abort();

  const outcome = await Promise.race([closed.then(() => 'upstream closed'), sleep(5_000).then(() => 'still running')]);
  expect(outcome).toBe('upstream closed');
  expect(upstream.aborted).toBe(1);
});
