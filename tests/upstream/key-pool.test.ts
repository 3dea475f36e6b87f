/** The key pool's rules, with a clock the test moves. */
import { describe, expect, it } from 'vitest';
import { KeyPool, type PoolKey, QUOTA_REST_SECONDS } from '../../src/routing/key-pool.js';
import type { UpstreamFailure } from '../../src/translate/upstream-errors.js';

const keys: PoolKey[] = [
  { variable: 'KEY_A', value: 'sk-a-aaaaaaaa' },
  { variable: 'KEY_B', value: 'sk-b-bbbbbbbb' },
  { variable: 'KEY_C', value: 'sk-c-cccccccc' },
];
const none = new Set<string>();
const refused: UpstreamFailure = { code: 'authentication', message: 'bad key', status: 401 };
const limited = (retryAfterSeconds?: number): UpstreamFailure => ({
  code: 'rate_limit_exceeded',
  message: 'slow down',
  status: 429,
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});
const quota: UpstreamFailure = { code: 'insufficient_quota', message: 'no credit', status: 429 };

describe('KeyPool', () => {
  it('rotates round-robin over healthy keys', () => {
    const pool = new KeyPool(keys);
    expect([0, 1, 2, 3].map(() => pool.pick(0, none)!.variable)).toEqual(['KEY_A', 'KEY_B', 'KEY_C', 'KEY_A']);
  });

  it('sets a refused key aside once, and skips it while others serve', () => {
    const pool = new KeyPool(keys);
    expect(pool.report(keys[0]!, refused, 0)).toEqual({
      variable: 'KEY_A',
      status: 'set_aside',
      reason: 'refused (HTTP 401)',
    });
    expect(pool.report(keys[0]!, refused, 0)).toBeUndefined();
    const picked = Array.from({ length: 6 }, () => pool.pick(0, none)!.variable);
    expect(picked).not.toContain('KEY_A');
    expect(pool.describe(0)[0]).toMatchObject({ variable: 'KEY_A', status: 'set_aside', counts: { refused: 2 } });
  });

  it('rests a rate-limited key for its Retry-After, a key without one for a growing backoff, and one out of quota for an hour', () => {
    const pool = new KeyPool(keys);
    expect(pool.report(keys[0]!, limited(30), 0)).toMatchObject({ status: 'resting', restSeconds: 30 });
    expect(pool.report(keys[1]!, limited(), 0)).toMatchObject({ restSeconds: 1 });
    expect(pool.report(keys[1]!, limited(), 0)).toMatchObject({ restSeconds: 2 });
    expect(pool.report(keys[2]!, quota, 0)).toMatchObject({ restSeconds: QUOTA_REST_SECONDS, reason: 'out of quota' });
    expect(pool.pick(1_000, none)).toBeUndefined();
    expect(pool.shortestRestSeconds(1_000)).toBe(1);
    expect(pool.pick(2_000, none)!.variable).toBe('KEY_B');
    expect(pool.pick(30_000, new Set(['KEY_B']))!.variable).toBe('KEY_A');
  });

  it('offers a set-aside key only when every key is set aside and none rests', () => {
    const pool = new KeyPool(keys.slice(0, 2));
    pool.report(keys[0]!, refused, 0);
    pool.report(keys[1]!, limited(10), 0);
    expect(pool.pick(0, none)).toBeUndefined();
    pool.report(keys[1]!, refused, 11_000);
    const lastResort = pool.pick(11_000, none)!;
    expect(lastResort).toBeDefined();
    // One refused key per request is enough to tell the client.
    expect(pool.pick(11_000, new Set([lastResort.variable]))).toBeUndefined();
    // A key accepted again is healthy again.
    expect(pool.report(keys[0]!, undefined, 12_000)).toEqual({
      variable: 'KEY_A',
      status: 'healthy',
      reason: 'accepted again',
    });
  });

  it("leaves failures that are not the key's to the retry policy", () => {
    const pool = new KeyPool(keys);
    expect(pool.report(keys[0]!, { code: 'server_error', message: 'boom', status: 500 }, 0)).toBeUndefined();
    expect(pool.describe(0)[0]).toMatchObject({ status: 'healthy', counts: { failed: 1 } });
  });
});
