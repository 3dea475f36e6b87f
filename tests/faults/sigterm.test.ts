/**
 * SIGTERM during 20 live streams, with the relay as users run it (a child
 * process): every stream gets a terminal event — the ten whose upstream
 * finishes within the grace period complete, the ten that would run on end
 * with response.failed (a code Codex retries) — and the process exits 0.
 */
import { afterEach, expect, it } from 'vitest';
import { type ServingCli, startCli } from '../support/cli.js';
import { type MockUpstream, startMockUpstream } from '../support/mock-upstream.js';
import { answerAfter, createGate, parseEvents, postResponse, readUntil, until } from './support.js';

let upstream: MockUpstream | undefined;
let serving: ServingCli | undefined;

afterEach(async () => {
  await serving?.stop('SIGKILL');
  await upstream?.close();
});

const STREAMS = 20;
const never = new Promise<void>(() => undefined);

it('finishes or fails every live stream on SIGTERM and exits 0', async () => {
  const gate = createGate();
  upstream = await startMockUpstream((request) => {
    const finishes = String(request.body.messages.at(-1).content).startsWith('finishes');
    return { kind: 'custom', handle: (_request, response) => answerAfter(finishes ? gate.opened : never, response) };
  });
  serving = await startCli([
    '--port',
    '0',
    '--store',
    'memory',
    '--upstream',
    upstream.baseUrl,
    '--shutdown-grace',
    '5s',
    '--log-level',
    'info',
  ]);

  const streams = await Promise.all(
    Array.from({ length: STREAMS }, async (_, index) => {
      const input = index % 2 === 0 ? `finishes ${index}` : `runs on ${index}`;
      const reader = (await postResponse(serving!.url, { model: 'm', input, stream: true })).body!.getReader();
      return { input, reader, text: await readUntil(reader, 'response.output_text.delta') };
    }),
  );
  expect(upstream.requests).toHaveLength(STREAMS);

  const exited = new Promise<number | null>((resolve) => serving!.child.once('exit', (code) => resolve(code)));
  serving.child.kill('SIGTERM');
  await until(
    () => serving!.stderr().includes('shutting down: waiting for responses in flight'),
    'the relay to start its shutdown',
  );
  gate.open();

  const endings = await Promise.all(
    streams.map(async (stream) => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await stream.reader.read();
        if (done) break;
        stream.text += decoder.decode(value, { stream: true });
      }
      return { input: stream.input, last: parseEvents(stream.text).at(-1)! };
    }),
  );
  for (const { input, last } of endings) {
    if (input.startsWith('finishes')) {
      expect(last.type, input).toBe('response.completed');
    } else {
      expect(last.type, input).toBe('response.failed');
      expect(last.response.error.code).toBe('server_error');
      expect(last.response.error.message).toContain('shutting down');
    }
  }
  expect(await exited).toBe(0);
  expect(serving.stderr()).toContain('relay stopped');
  serving = undefined;
});
