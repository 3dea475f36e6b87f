/**
 * Two relays sharing one real redis-server: the turns of both appear in
 * GET /v1/usage asked of either, and in the `usage` command reading Redis.
 * With Redis down a turn is still served (its record is lost, logged and
 * counted), and GET /v1/usage answers 503 store_unavailable until Redis is
 * back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../../harness/redis-server.js';
import { runUsage } from '../../src/cli/usage-command.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { RedisResponseStore } from '../../src/store/redis-store.js';
import { openUsageLedger } from '../../src/usage/open-ledger.js';
import { failOnProcessErrors, metricValue, postResponse, until } from '../faults/support.js';
import { type CapturedLogs, captureLogs } from '../support/capture-logs.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';
import { readSse, startTestRelay } from '../support/relay.js';

const PREFIX = 'usage-relays:';
let redis: TestRedis;
let upstream: MockUpstream;
const relays: RunningRelay[] = [];
const stores: RedisResponseStore[] = [];
const logs: CapturedLogs[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  upstream = await startMockUpstream(() => ({
    kind: 'sse',
    chunks: [...textChunks('ok'), finishChunk('stop'), usageChunk(100, 10)],
  }));
  for (let index = 0; index < 2; index++) {
    const store = await RedisResponseStore.open({
      url: redis.url,
      prefix: PREFIX,
      ttlMs: 60_000,
      maxBytes: 0,
      connectWaitMs: 2_000,
      onWarning: () => undefined,
    });
    const captured = captureLogs();
    stores.push(store);
    logs.push(captured);
    relays.push(
      await startTestRelay(upstream.baseUrl, {
        store,
        logger: captured.logger,
        server: { usageLedger: openUsageLedger(store, captured.logger) },
      }),
    );
  }
});

afterAll(async () => {
  for (const relay of relays) await relay.close();
  for (const store of stores) await store.close();
  await upstream?.close();
  await redis?.stop();
});

failOnProcessErrors(async () => undefined);

async function turn(relay: RunningRelay, input: string): Promise<void> {
  const events = await readSse(
    await postResponse(relay.url, { model: 'm', input, stream: true }, { 'user-agent': 'codex_exec/0.169.0' }),
  );
  expect(events.at(-1)!.type).toBe('response.completed');
}

async function usageTurns(relay: RunningRelay): Promise<number> {
  const response = await fetch(`${relay.url}/v1/usage?since=1h`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { totals: { turns: number } }).totals.turns;
}

describe('the usage ledger of relays sharing one Redis', () => {
  it('counts the turns of every relay, whichever relay is asked, and the usage command reads the same', async () => {
    const [first, second] = relays as [RunningRelay, RunningRelay];
    await turn(first, 'one');
    await turn(first, 'two');
    await turn(second, 'three');
    // Each relay writes its own records a moment after their turns end.
    await until(
      async () => (await usageTurns(first)) === 3 && (await usageTurns(second)) === 3,
      'both relays to count all three turns',
    );
    const summary = (await (await fetch(`${second.url}/v1/usage?since=1h`)).json()) as {
      totals: Record<string, unknown>;
    };
    expect(summary.totals).toMatchObject({ turns: 3, completed: 3, input_tokens: 300, output_tokens: 30 });

    const printed = JSON.parse(
      await runUsage({ store: 'redis', storeUrl: redis.url, storePrefix: PREFIX, since: '1h', json: true }, {}),
    );
    expect(printed.totals).toEqual(summary.totals);
    // Another prefix is another deployment: nothing recorded there.
    const elsewhere = JSON.parse(
      await runUsage({ store: 'redis', storeUrl: redis.url, storePrefix: 'elsewhere:', json: true }, {}),
    );
    expect(elsewhere.totals.turns).toBe(0);
  });

  it('serves turns while Redis is down, answers 503 store_unavailable for usage, and reads it again once Redis is back', async () => {
    const [first, second] = relays as [RunningRelay, RunningRelay];
    const before = await usageTurns(first);
    await redis.kill();
    const unreachable = (store: RedisResponseStore) =>
      store.ping().then(
        () => false,
        () => true,
      );
    await until(
      async () => (await Promise.all(stores.map(unreachable))).every(Boolean),
      'both relays to notice Redis is down',
    );

    await turn(second, 'during the outage');
    for (const path of ['/v1/usage', '/dashboard/api/overview']) {
      const response = await fetch(`${second.url}${path}`);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('store_unavailable');
      expect(body.error.message).toMatch(
        /usage ledger cannot be read\. It is unreachable at the moment; retry shortly/,
      );
    }
    // The command line says so in one line (after waiting for Redis as a relay starting would).
    await expect(
      runUsage({ store: 'redis', storeUrl: redis.url, storePrefix: PREFIX, json: true }, {}),
    ).rejects.toThrow(
      /^cannot read the usage ledger: Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable; check --store-url/,
    );
    // The record of the turn in the outage could not be written: logged, never thrown into the turn.
    await until(
      () => logs[1]!.records().some((line) => line.msg === 'usage ledger write failed'),
      'the failed ledger write to be logged',
    );
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metricValue(metrics, 'responses_relay_usage_write_failures_total')).toBe(1);

    await redis.restart();
    await until(async () => (await fetch(`${first.url}/v1/usage`)).status === 200, 'the usage ledger to answer again');
    expect(await usageTurns(second)).toBe(before);
    await turn(second, 'after the outage');
    await until(async () => (await usageTurns(first)) === before + 1, 'the turn after the outage to be counted');
  });
});
