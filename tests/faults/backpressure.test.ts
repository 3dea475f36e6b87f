/**
 * A client that reads slowly must slow the upstream down, not fill the
 * relay's memory. The upstream offers far more than any buffer holds and
 * writes only as fast as its socket takes it; the client reads one event and
 * stops. Once the upstream is blocked, the bytes it managed to write are what
 * the relay read ahead plus the kernel's socket buffers — a bound far below
 * what was offered. (Bytes, not timing: nothing here depends on speed.)
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { deltaChunk, type MockUpstream } from '../support/mock-upstream.js';
import { useTestServers } from '../support/test-servers.js';
import { failOnProcessErrors, postResponse, readUntil, until } from './support.js';

const servers = useTestServers('never');
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
failOnProcessErrors(() => servers.closeAll());

const MB = 1024 * 1024;
/** What the upstream would send if nothing held it back. */
const OFFERED_BYTES = 512 * MB;
/**
 * Loopback socket buffers on both hops (up to 4 MB to send and 32 MB to
 * receive each with Linux defaults) plus what the relay holds: the bound a
 * relay that honours backpressure stays under, with room to spare.
 */
const READ_AHEAD_BOUND = 96 * MB;

it('reads the upstream only as fast as a slow client takes the answer', async () => {
  const progress = { written: 0, waitingForDrain: false, ended: false };
  const frame = `data: ${JSON.stringify(deltaChunk({ content: 'x'.repeat(4000) }))}\n\n`;
  upstream = await servers.mockUpstream(() => ({
    kind: 'custom',
    handle: async (_request, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const closed = once(response, 'close');
      while (progress.written < OFFERED_BYTES && !response.destroyed) {
        const accepted = response.write(frame);
        progress.written += frame.length;
        if (!accepted) {
          progress.waitingForDrain = true;
          await Promise.race([once(response, 'drain'), closed]);
          progress.waitingForDrain = false;
        }
      }
      progress.ended = true;
      response.end();
    },
  }));
  relay = await servers.relay(upstream.baseUrl);

  const controller = new AbortController();
  const response = await postResponse(
    relay.url,
    { model: 'm', input: 'a very long answer', stream: true },
    {},
    controller.signal,
  );
  const reader = response.body!.getReader();
  await readUntil(reader, 'response.output_text.delta');

  // The client stops reading. Wait until the upstream is blocked and has not moved for a second.
  let last = -1;
  let steadyPolls = 0;
  await until(
    () => {
      steadyPolls = progress.written === last && progress.waitingForDrain ? steadyPolls + 1 : 0;
      last = progress.written;
      return steadyPolls >= 100 || progress.ended;
    },
    'the upstream to be held back',
    60_000,
  );
  expect(progress.ended).toBe(false);
  expect(progress.written).toBeLessThan(READ_AHEAD_BOUND);

  controller.abort();
  await until(() => upstream!.aborted === 1, 'the upstream request to be aborted');
}, 90_000);
