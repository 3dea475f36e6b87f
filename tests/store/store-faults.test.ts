/**
 * Faults and limits over HTTP on both backends: a write that fails still
 * streams the response (and is logged and counted), expired and evicted
 * conversations cannot be continued, and a continuation that arrives while
 * its parent is still being written waits for that write.
 */
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { SqliteResponseStore } from '../../src/store/sqlite-store.js';
import type { ResponseStore, StoredTurn } from '../../src/store/types.js';
import { finishChunk, textChunks } from '../support/mock-upstream.js';
import { call, createResponse, startHarness, stopHarnesses } from './http.js';
import { createTestStore, fakeClock, LOCAL_BACKENDS, removeTempDirectories } from './support.js';

afterEach(stopHarnesses);
afterAll(removeTempDirectories);

const DAY = 86_400_000;

/** A logger whose JSON lines are kept for assertions. */
function capturingLogger() {
  const lines: any[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

// Redis faults (unreachable, restarted) are in redis-relays.test.ts.
describe.each(LOCAL_BACKENDS)('the %s store under faults and limits', (kind) => {
  it('streams the response when the write fails, and logs and counts the failure', async () => {
    const { logger, lines } = capturingLogger();
    // memory: a reply larger than the whole budget; sqlite: another connection holds the write lock.
    const store = createTestStore(kind, { maxBytes: kind === 'memory' ? 4_000 : 64 * 1024 * 1024, busyTimeoutMs: 20 });
    let blocker: Database.Database | undefined;
    if (store instanceof SqliteResponseStore) {
      blocker = new Database(store.path);
      blocker.exec('BEGIN IMMEDIATE');
    }
    const { relay } = await startHarness(kind, {
      storeInstance: store,
      relay: { logger },
      script: () => ({ kind: 'sse', chunks: [...textChunks('x'.repeat(6_000)), finishChunk('stop')] }),
    });
    let result;
    try {
      result = await createResponse(relay, { input: 'write me', stream: true });
      expect(result.status).toBe(200);
      expect(result.events.at(-1)!.type).toBe('response.completed');
      expect(result.json.output[0].content[0].text).toHaveLength(6_000);
      await relay.history.close();
      expect(relay.history.counters).toMatchObject({ writes: 0, writeFailures: 1 });
      const logged = lines.find((line) => line.msg.startsWith('session store write failed'));
      expect(logged).toMatchObject({ level: 50, responseId: result.json.id, store: kind });
      expect(logged.err.message).toMatch(
        kind === 'memory' ? /larger than the whole memory store budget/ : /database is locked/,
      );
    } finally {
      blocker?.exec('ROLLBACK');
      blocker?.close();
    }
    // Nothing was written; with the fault gone (sqlite) later writes work again.
    expect((await call(relay, 'GET', `/v1/responses/${result.json.id}`)).status).toBe(404);
    const continued = await createResponse(relay, { input: 'continue', previous_response_id: result.json.id });
    expect(continued.json.error.code).toBe('previous_response_not_found');
    if (kind === 'sqlite') {
      const after = await createResponse(relay, { input: 'after the lock' });
      await relay.history.close();
      expect(relay.history.counters.writes).toBe(1);
      expect((await call(relay, 'GET', `/v1/responses/${after.json.id}`)).status).toBe(200);
    }
  });

  it('forgets a conversation nobody continued within the TTL', async () => {
    const clock = fakeClock();
    const { relay } = await startHarness(kind, { store: { ttlMs: 7 * DAY, now: clock.now } });
    const kept = await createResponse(relay, { input: 'kept' });
    const dropped = await createResponse(relay, { input: 'dropped' });
    clock.advance(4 * DAY);
    const keptNext = await createResponse(relay, { input: 'still here', previous_response_id: kept.json.id });
    expect(keptNext.status).toBe(200);
    clock.advance(4 * DAY);
    const late = await createResponse(relay, { input: 'too late', previous_response_id: dropped.json.id });
    expect(late.status).toBe(404);
    expect(late.json.error.code).toBe('previous_response_not_found');
    expect((await call(relay, 'GET', `/v1/responses/${dropped.json.id}`)).status).toBe(404);
    expect((await createResponse(relay, { input: 'and again', previous_response_id: keptNext.json.id })).status).toBe(
      200,
    );
  });

  it('over the size cap removes the least recently used conversation first', async () => {
    const reply = 'y'.repeat(3_000);
    const { relay, store } = await startHarness(kind, {
      store: { maxBytes: 14_000 },
      script: () => ({ kind: 'sse', chunks: [...textChunks(reply), finishChunk('stop')] }),
    });
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await createResponse(relay, { input: `conversation ${index}` })).json.id);
      await relay.history.close();
      await store.sweep();
    }
    const present = [];
    for (const id of ids)
      if ((await call(relay, 'GET', `/v1/responses/${id}`)).status === 200) present.push(ids.indexOf(id));
    // Some were removed, and the ones left are the most recent.
    expect(present.length).toBeGreaterThanOrEqual(2);
    expect(present.length).toBeLessThan(5);
    expect(present).toEqual([0, 1, 2, 3, 4].slice(5 - present.length));
    expect((await store.stats()).bytes).toBeLessThanOrEqual(14_000);
  });

  it('sends the last event only once the response is stored, so the next turn always finds it', async () => {
    const events: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = createTestStore(kind);
    // A backend whose writes take as long as the test wants (a networked store would).
    const slow: ResponseStore = {
      kind: inner.kind,
      async save(turn: StoredTurn) {
        events.push('save started');
        await gate;
        await inner.save(turn);
        events.push('save done');
      },
      get: (id) => inner.get(id),
      async chain(id) {
        events.push('chain read');
        return inner.chain(id);
      },
      delete: (id) => inner.delete(id),
      reasoningForCalls: (keys) => inner.reasoningForCalls(keys),
      mayHoldReasoning: () => inner.mayHoldReasoning(),
      stats: () => inner.stats(),
      ping: () => inner.ping(),
      sweep: () => inner.sweep(),
      close: () => inner.close(),
    };
    const { relay, upstream } = await startHarness(kind, { storeInstance: slow });
    const firstResult = createResponse(relay, { input: 'first', stream: true }).then((result) => {
      events.push('client saw the end');
      return result;
    });
    for (let turn = 0; turn < 1_000 && !events.includes('save started'); turn++)
      await new Promise((resolve) => setImmediate(resolve));
    // Give the client every chance to see the end early if the stream did not wait.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    events.push('released');
    release();
    const first = await firstResult;
    expect(first.events.at(-1)!.type).toBe('response.completed');
    expect(events).toEqual(['save started', 'released', 'save done', 'client saw the end']);
    expect((await createResponse(relay, { input: 'second', previous_response_id: first.json.id })).status).toBe(200);
    expect(upstream.requests[1]!.body.messages.map((message: any) => message.content)).toEqual([
      'first',
      'answer 1',
      'second',
    ]);
  });
});
