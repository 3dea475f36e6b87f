/** Stores for tests: each backend in a fresh place, removed when the test ends. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { SqliteResponseStore, type SqliteStoreOptions } from '../../src/store/sqlite-store.js';
import { DEFAULT_TTL_MS, type ResponseStore, type StoreKind, type StoreLimits } from '../../src/store/types.js';

export const BACKENDS: StoreKind[] = ['memory', 'sqlite'];

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

export type TestStoreOptions = Partial<StoreLimits> & Partial<Pick<SqliteStoreOptions, 'path' | 'busyTimeoutMs' | 'migrations'>>;

/** A store of the given kind; SQLite gets a new file unless `path` is given. */
export function createTestStore(kind: StoreKind, options: TestStoreOptions = {}): ResponseStore {
  const limits: StoreLimits = {
    ttlMs: options.ttlMs ?? DEFAULT_TTL_MS,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sweepIntervalMs ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
  };
  if (kind === 'memory') return new MemoryResponseStore(limits);
  return new SqliteResponseStore({
    ...limits,
    path: options.path ?? join(tempDirectory(), 'sessions.db'),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
  });
}
