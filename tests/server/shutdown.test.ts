/** Graceful shutdown in process: what finishes, what is ended, what is refused, and that it can be asked for twice. */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { answerAfter, createGate, metricValue, parseEvents, postResponse, readUntil } from '../faults/support.js';
import type { MockUpstream } from '../support/mock-upstream.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

const never = new Promise<void>(() => undefined);

/** Reads what is left of a stream and returns all its events. */
async function rest(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  start: string,
): Promise<Array<Record<string, any>>> {
  const decoder = new TextDecoder();
  let text = start;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return parseEvents(text);
    text += decoder.decode(value, { stream: true });
  }
}

describe('RunningRelay.shutdown', () => {
  it('lets responses finish during the grace period, ends the others with response.failed and stores what completed', async () => {
    const gate = createGate();
    upstream = await servers.mockUpstream((request) => ({
      kind: 'custom',
      handle: (_request, response) =>
        answerAfter(request.body.messages.at(-1).content === 'quick' ? gate.opened : never, response),
    }));
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
    relay = await servers.relay(upstream.baseUrl, { store });
    const quick = (await postResponse(relay.url, { model: 'm', input: 'quick', stream: true })).body!.getReader();
    const slow = (await postResponse(relay.url, { model: 'm', input: 'slow', stream: true })).body!.getReader();
    const quickStart = await readUntil(quick, 'response.output_text.delta');
    const slowStart = await readUntil(slow, 'response.output_text.delta');

    const stopped = relay.shutdown({ graceMs: 3_000 });
    // No new work once the shutdown has begun: the listener is closed, or the relay answers 503.
    const late = await postResponse(relay.url, { model: 'm', input: 'late', stream: true }).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    gate.open();

    const quickEvents = await rest(quick, quickStart);
    expect(quickEvents.at(-1)!.type).toBe('response.completed');
    const slowEvents = await rest(slow, slowStart);
    expect(slowEvents.at(-1)!.type).toBe('response.failed');
    expect(slowEvents.at(-1)!.response.error).toMatchObject({ code: 'server_error' });
    expect(slowEvents.at(-1)!.response.error.message).toContain('shutting down');
    await stopped;

    expect(await store.get(quickEvents.at(-1)!.response.id)).toBeDefined();
    expect(upstream.requests).toHaveLength(2);
    // A shutdown is not an upstream error.
    const metrics = await relay.metrics.registry.metrics();
    expect(metricValue(metrics, 'responses_relay_upstream_errors_total', { code: 'server_error' })).toBeUndefined();
    expect(metricValue(metrics, 'responses_relay_active_streams')).toBe(0);
    await store.close();
  });

  it('can be called again: a second call ends the grace period at once, and close() is idempotent', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'custom',
      handle: (_request, response) => answerAfter(never, response),
    }));
    relay = await servers.relay(upstream.baseUrl);
    const reader = (await postResponse(relay.url, { model: 'm', input: 'hi', stream: true })).body!.getReader();
    const start = await readUntil(reader, 'response.output_text.delta');
    // A grace period longer than the test's timeout: only the second call can end it in time.
    const first = relay.shutdown({ graceMs: 600_000 });
    const second = relay.shutdown({ graceMs: 600_000 });
    const events = await rest(reader, start);
    expect(events.at(-1)!.type).toBe('response.failed');
    await Promise.all([first, second, relay.close(), relay.close()]);
    await relay.close();
  });
});
