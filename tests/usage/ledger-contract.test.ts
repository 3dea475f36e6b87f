/**
 * What every usage ledger does, on each kind: memory, the SQLite file and a
 * real redis-server. Records come back whole and oldest first, a range
 * includes both ends, records that started at the same moment are all kept,
 * and pruning removes exactly the records before the cutoff.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RedisResponseStore } from '../../src/store/redis-store.js';
import { MemoryUsageLedger } from '../../src/usage/memory-ledger.js';
import { REDIS_USAGE_FORMAT, RedisUsageLedger } from '../../src/usage/redis-ledger.js';
import { SqliteUsageLedger } from '../../src/usage/sqlite-ledger.js';
import type { UsageLedger, UsageRecord } from '../../src/usage/types.js';
import {
  openTestStore,
  removeTempDirectories,
  sharedTestRedis,
  stopTestRedis,
  tempDirectory,
} from '../store/support.js';
import { T0, record as usageRecord } from './records.js';

const MINUTE = 60_000;

function record(id: string, startedAt: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return usageRecord({ id, startedAt, ...overrides });
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  await stopTestRedis();
  removeTempDirectories();
});

type LedgerKind = 'memory' | 'sqlite' | 'redis';

async function openLedger(kind: LedgerKind): Promise<UsageLedger> {
  let ledger: UsageLedger;
  if (kind === 'memory') ledger = new MemoryUsageLedger();
  else if (kind === 'sqlite') ledger = new SqliteUsageLedger({ path: join(tempDirectory(), 'sessions.db') });
  else {
    const store = await openTestStore('redis');
    closers.push(() => store.close());
    ledger = new RedisUsageLedger(store as RedisResponseStore);
  }
  closers.unshift(() => ledger.close());
  return ledger;
}

describe.each<LedgerKind>(['memory', 'sqlite', 'redis'])('the %s usage ledger', (kind) => {
  it('gives records back whole, oldest first, within a range that includes both ends', async () => {
    const ledger = await openLedger(kind);
    const failed = record('req_failed', T0 + 2 * MINUTE, {
      transport: 'json',
      client: 'openai-sdk',
      outcome: 'failed',
      errorCode: 'rate_limit_exceeded',
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
      firstTokenMs: null,
      costUsd: null,
      savedUsd: null,
      retries: 2,
      fallbacks: 1,
    });
    // Written out of order, in two batches.
    await ledger.record([record('resp_3', T0 + 3 * MINUTE), failed]);
    await ledger.record([record('resp_1', T0 + MINUTE, { provider: 'kimi', upstreamModel: 'kimi-k3' })]);
    await ledger.record([]);
    const all = await ledger.query({});
    expect(all.map((entry) => entry.id)).toEqual(['resp_1', 'req_failed', 'resp_3']);
    expect(all[1]).toEqual(failed);
    expect(all[0]).toEqual(record('resp_1', T0 + MINUTE, { provider: 'kimi', upstreamModel: 'kimi-k3' }));
    expect((await ledger.query({ since: T0 + 2 * MINUTE, until: T0 + 3 * MINUTE })).map((entry) => entry.id)).toEqual([
      'req_failed',
      'resp_3',
    ]);
    expect((await ledger.query({ since: T0 + 2 * MINUTE + 1 })).map((entry) => entry.id)).toEqual(['resp_3']);
    expect((await ledger.query({ until: T0 + MINUTE })).map((entry) => entry.id)).toEqual(['resp_1']);
    expect(await ledger.query({ until: T0 })).toEqual([]);
  });

  it('keeps every record that started at the same moment, alike but for their ids', async () => {
    const ledger = await openLedger(kind);
    await ledger.record([record('resp_a', T0), record('resp_b', T0)]);
    await ledger.record([record('resp_c', T0)]);
    expect((await ledger.query({ since: T0, until: T0 })).map((entry) => entry.id).sort()).toEqual([
      'resp_a',
      'resp_b',
      'resp_c',
    ]);
  });

  it('prunes exactly the records that started before the cutoff, and says how many', async () => {
    const ledger = await openLedger(kind);
    await ledger.record([1, 2, 3, 4, 5].map((minute) => record(`resp_${minute}`, T0 + minute * MINUTE)));
    expect(await ledger.prune(T0 + 3 * MINUTE)).toBe(2);
    expect((await ledger.query({})).map((entry) => entry.id)).toEqual(['resp_3', 'resp_4', 'resp_5']);
    expect(await ledger.prune(T0 + 3 * MINUTE)).toBe(0);
    expect(await ledger.prune(T0 + 10 * MINUTE)).toBe(3);
    expect(await ledger.query({})).toEqual([]);
  });
});

describe('the redis usage ledger', () => {
  it('keeps one sorted set under the deployment prefix, scored by start time, and skips members it cannot read', async () => {
    const redis = await sharedTestRedis();
    const prefix = `usage-${randomUUID()}:`;
    const store = await RedisResponseStore.open({
      url: redis.url,
      prefix,
      ttlMs: MINUTE,
      maxBytes: 0,
      connectWaitMs: 2_000,
      onWarning: () => undefined,
    });
    closers.push(() => store.close());
    const ledger = new RedisUsageLedger(store);
    await ledger.record([record('resp_1', T0)]);
    expect(redis.cli('ZCARD', `${prefix}usage`)).toBe('1');
    expect(redis.cli('ZSCORE', `${prefix}usage`, redis.cli('ZRANGE', `${prefix}usage`, '0', '0'))).toBe(String(T0));
    expect(JSON.parse(redis.cli('ZRANGE', `${prefix}usage`, '0', '0'))[0]).toBe(REDIS_USAGE_FORMAT);
    // The same record written again (a retried batch) stays one record.
    await ledger.record([record('resp_1', T0)]);
    expect(redis.cli('ZCARD', `${prefix}usage`)).toBe('1');
    // A member of a newer format and one that is not JSON are left alone on reading.
    redis.cli('ZADD', `${prefix}usage`, String(T0 + 1), JSON.stringify([REDIS_USAGE_FORMAT + 1, 'resp_future']));
    redis.cli('ZADD', `${prefix}usage`, String(T0 + 2), 'not json');
    expect((await ledger.query({})).map((entry) => entry.id)).toEqual(['resp_1']);
    // Another deployment on the same Redis sees none of it.
    const other = await openTestStore('redis');
    closers.push(() => other.close());
    expect(await new RedisUsageLedger(other as RedisResponseStore).query({})).toEqual([]);
  });
});
