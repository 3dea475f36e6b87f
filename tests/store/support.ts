/** Stores for tests: each backend in a fresh place, removed when the test ends. */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestRedis, type TestRedis } from '../../harness/redis-server.js';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { RedisResponseStore } from '../../src/store/redis-store.js';
import { SqliteResponseStore, type SqliteStoreOptions } from '../../src/store/sqlite-store.js';
import { DEFAULT_TTL_MS, type ResponseStore, type StoreKind, type StoreLimits } from '../../src/store/types.js';

export type LocalStoreKind = Exclude<StoreKind, 'redis'>;
/** The backends kept by the relay itself. */
export const LOCAL_BACKENDS: LocalStoreKind[] = ['memory', 'sqlite'];
/** Every backend; Redis runs against a real redis-server (files using it call stopTestRedis in afterAll). */
export const BACKENDS: StoreKind[] = [...LOCAL_BACKENDS, 'redis'];

/** A clock tests move by hand. */
export interface FakeClock {
  now: () => number;
  advance(ms: number): void;
}

export function fakeClock(start = 1_800_000_000_000): FakeClock {
  let current = start;
  return {
    now: () => current,
    advance(ms) {
      current += ms;
    },
  };
}

const directories: string[] = [];

/** A new empty directory under the system temp directory. */
export function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'relay-store-'));
  directories.push(directory);
  return directory;
}

/** Removes every directory tempDirectory() made (call in afterAll). */
export function removeTempDirectories(): void {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

export type TestStoreOptions = Partial<StoreLimits> &
  Partial<Pick<SqliteStoreOptions, 'path' | 'busyTimeoutMs' | 'migrations'>>;

/** A store of the given kind; SQLite gets a new file unless `path` is given. */
export function createTestStore(kind: LocalStoreKind, options: TestStoreOptions = {}): ResponseStore {
  const limits = testLimits(options);
  if (kind === 'memory') return new MemoryResponseStore(limits);
  return new SqliteResponseStore({
    ...limits,
    path: options.path ?? join(tempDirectory(), 'sessions.db'),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
  });
}

let testRedis: Promise<TestRedis> | undefined;

/** The redis-server this test file shares (started on first use). */
export function sharedTestRedis(): Promise<TestRedis> {
  testRedis ??= startTestRedis();
  return testRedis;
}

/** Stops the file's redis-server, if one was started (call in afterAll). */
export async function stopTestRedis(): Promise<void> {
  const running = testRedis;
  testRedis = undefined;
  if (running) await (await running).stop();
}

/** A store of any kind; each Redis store gets a key prefix of its own on the file's redis-server. */
export async function openTestStore(kind: StoreKind, options: TestStoreOptions = {}): Promise<ResponseStore> {
  if (kind !== 'redis') return createTestStore(kind, options);
  const redis = await sharedTestRedis();
  return RedisResponseStore.open({
    ...testLimits(options),
    maxBytes: 0,
    url: redis.url,
    prefix: `test-${randomUUID()}:`,
  });
}

function testLimits(options: TestStoreOptions): StoreLimits {
  return {
    ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sweepIntervalMs ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
  };
}
