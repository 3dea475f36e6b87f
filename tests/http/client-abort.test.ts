/** A client that goes away must not leave the upstream request running. */
import { afterEach, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { sleep, startMockUpstream, type MockUpstream } from '../support/mock-upstream.js';
import { startTestRelay } from '../support/relay.js';
import { longAnswer } from '../support/scripted-upstream.js';

let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

afterEach(async () => {
  await relay?.close();
  await upstream?.close();
});

it('cancels the upstream request when the client disconnects mid-stream', async () => {
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
  upstream = await startMockUpstream(() => longAnswer(upstreamClosed));
  relay = await startTestRelay(upstream.baseUrl);

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
