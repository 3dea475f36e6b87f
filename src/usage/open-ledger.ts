/**
 * The usage ledger for a store: a table in the SQLite file for `sqlite`, a
 * sorted set in the same Redis for `redis`, a memory ring for `memory`, and a
 * memory ring (said once in the log) for a store kind that has no ledger of
 * its own.
 */
import type { Logger } from '../log.js';
import { RedisResponseStore } from '../store/redis-store.js';
import { SqliteResponseStore } from '../store/sqlite-store.js';
import type { ResponseStore } from '../store/types.js';
import { MemoryUsageLedger } from './memory-ledger.js';
import { RedisUsageLedger } from './redis-ledger.js';
import { SqliteUsageLedger } from './sqlite-ledger.js';
import type { UsageLedger } from './types.js';

/** Opens the ledger that lives beside the given store. */
export function openUsageLedger(store: ResponseStore, logger: Logger): UsageLedger {
  if (store instanceof SqliteResponseStore) return new SqliteUsageLedger({ path: store.path });
  if (store instanceof RedisResponseStore) return new RedisUsageLedger(store);
  if (store.kind !== 'memory') {
    logger.warn(
      { store: store.kind },
      'the usage ledger has no implementation for this store kind; usage is kept in memory and lost on restart',
    );
  }
  return new MemoryUsageLedger();
}
