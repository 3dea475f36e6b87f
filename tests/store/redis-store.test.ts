/**
 * What only the Redis backend does (the shared behaviour is in
 * store-contract.test.ts): keys under the deployment's prefix with a TTL that
 * continuing refreshes, a newer layout refused, `--store-max-mb` applied as
 * Redis's maxmemory, and fast, clear failures while Redis is down, with
 * service resuming once it is back. Runs a real redis-server.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeRedisUrl, RedisResponseStore, RedisSchemaError } from '../../src/store/redis-store.js';
import { DEFAULT_TTL_MS, type ResponseStore, StoreUnavailableError } from '../../src/store/types.js';
import { sharedTestRedis, stopTestRedis } from './support.js';
import { makeTurn } from './turns.js';

const opened: ResponseStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
afterAll(stopTestRedis);

async function open(options: { prefix?: string; maxBytes?: number; ttlMs?: number } = {}): Promise<RedisResponseStore> {
  const redis = await sharedTestRedis();
  const store = await RedisResponseStore.open({
    url: redis.url,
    prefix: options.prefix ?? `test-${randomUUID()}:`,
    ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
    maxBytes: options.maxBytes ?? 0,
    connectWaitMs: 2_000,
    onWarning: () => undefined,
  });
  opened.push(store);
  return store;
}

describe('redis store', () => {
  it('keeps each deployment under its own prefix, every turn with a TTL that continuing refreshes', async () => {
    const redis = await sharedTestRedis();
    const first = await open({ prefix: 'deployment-a:', ttlMs: 60_000 });
    const second = await open({ prefix: 'deployment-b:', ttlMs: 60_000 });
    await first.save(makeTurn('resp_shared_1', null, 'one'));
    await first.save(makeTurn('resp_shared_2', 'resp_shared_1', 'two'));
    expect(await second.get('resp_shared_1')).toBeUndefined();
    expect(redis.cli('GET', 'deployment-a:schema')).toBe('1');
    redis.cli('PEXPIRE', 'deployment-a:turn:resp_shared_1', '1000');
    expect((await first.chain('resp_shared_2')).status).toBe('found');
    expect(Number(redis.cli('PTTL', 'deployment-a:turn:resp_shared_1'))).toBeGreaterThan(50_000);
    expect(Number(redis.cli('PTTL', 'deployment-a:turn:resp_shared_2'))).toBeGreaterThan(50_000);
    expect(redis.cli('HGET', 'deployment-a:turn:resp_shared_2', 'parent')).toBe('resp_shared_1');
  });

  it('sees a deletion made through another relay even when it has the turns parsed already', async () => {
    const prefix = `shared-${randomUUID()}:`;
    const first = await open({ prefix });
    const second = await open({ prefix });
    await first.save(makeTurn('resp_c1', null, 'one'));
    await first.save(makeTurn('resp_c2', 'resp_c1', 'two'));
    await first.save(makeTurn('resp_c3', 'resp_c2', 'three'));
    expect((await first.chain('resp_c3')).status).toBe('found');
    expect((await second.chain('resp_c3')).status).toBe('found');
    expect(await second.delete('resp_c2')).toBe(true);
    const lookup = await first.chain('resp_c3');
    expect(lookup.status === 'broken' && lookup.missingId).toBe('resp_c2');
    expect(lookup.status === 'broken' && lookup.turns.map((turn) => turn.id)).toEqual(['resp_c3']);
    expect(await first.get('resp_c2')).toBeUndefined();
  });

  it('never shows the password of the URL', () => {
    expect(describeRedisUrl('rediss://relay:s3cret@redis.internal:6380/2')).toBe(
      'rediss://relay:***@redis.internal:6380/2',
    );
    expect(describeRedisUrl('redis://:s3cret@localhost:6379')).not.toContain('s3cret');
    expect(describeRedisUrl('not a url s3cret')).toBe('(an invalid Redis URL)');
  });

  it('refuses a Redis whose data a newer relay wrote, and leaves it alone', async () => {
    const redis = await sharedTestRedis();
    redis.cli('SET', 'newer:schema', '7');
    redis.cli('HSET', 'newer:turn:resp_future', 'format', 'unknown');
    await expect(open({ prefix: 'newer:' })).rejects.toThrow(RedisSchemaError);
    await expect(open({ prefix: 'newer:' })).rejects.toThrow(
      /layout version 7; this version knows up to 1.*upgrade responses-relay or use another --store-prefix/,
    );
    expect(redis.cli('GET', 'newer:schema')).toBe('7');
    expect(redis.cli('HGET', 'newer:turn:resp_future', 'format')).toBe('unknown');
  });

  it('applies --store-max-mb as maxmemory, evicting least recently used turns (volatile-lru)', async () => {
    const redis = await sharedTestRedis();
    await open({ maxBytes: 64 * 1024 * 1024 });
    expect(redis.cli('CONFIG', 'GET', 'maxmemory').split('\n')[1]).toBe(String(64 * 1024 * 1024));
    expect(redis.cli('CONFIG', 'GET', 'maxmemory-policy').split('\n')[1]).toBe('volatile-lru');
    redis.cli('CONFIG', 'SET', 'maxmemory', '0');
  });

  it('fails fast and clearly while Redis is down, and serves again once it is back', async () => {
    const redis = await sharedTestRedis();
    const store = await open();
    await store.save(makeTurn('resp_before', null, 'before the outage'));
    await redis.kill();
    await expect(store.ping()).rejects.toThrow(StoreUnavailableError);
    await expect(store.chain('resp_before')).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/);
    await expect(store.save(makeTurn('resp_during', null, 'during'))).rejects.toThrow(StoreUnavailableError);
    await redis.restart();
    for (let attempt = 0; attempt < 200; attempt++) {
      if (
        await store.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await store.ping();
    expect((await store.chain('resp_before')).status).toBe('found');
    await store.save(makeTurn('resp_after', 'resp_before', 'after'));
    expect((await store.chain('resp_after')).status).toBe('found');
  });
});
