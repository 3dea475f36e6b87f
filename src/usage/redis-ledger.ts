/**
 * Usage records in the session store's Redis, shared by every relay on it:
 * one sorted set `<prefix>usage`, scored by `startedAt`, each member a record
 * as a compact JSON array (its format version, then the values in the order
 * of USAGE_RECORD_FIELDS). A batch is one ZADD, a query one ZRANGEBYSCORE, a
 * prune one ZREMRANGEBYSCORE. Members hold the record's id, unique per
 * response or request, so records from several relays never merge; writing
 * the same record again leaves one copy. The ledger uses the store's
 * connection: Redis unreachable fails as the store does (StoreUnavailableError).
 */
import type { RedisResponseStore } from '../store/redis-store.js';
import { usageRecordFromValues, usageRecordValues } from './record-values.js';
import type { UsageLedger, UsageRange, UsageRecord } from './types.js';

/** The format of a member written by this version; members of another format are skipped. */
export const REDIS_USAGE_FORMAT = 1;

export class RedisUsageLedger implements UsageLedger {
  readonly kind = 'redis';
  private readonly store: RedisResponseStore;

  constructor(store: RedisResponseStore) {
    this.store = store;
  }

  async record(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const scoresAndMembers = records.flatMap((record) => [
      record.startedAt,
      JSON.stringify([REDIS_USAGE_FORMAT, ...usageRecordValues(record)]),
    ]);
    await this.store.runCommands((client, prefix) => client.zadd(`${prefix}usage`, ...scoresAndMembers));
  }

  async query(range: UsageRange): Promise<UsageRecord[]> {
    const members = await this.store.runCommands((client, prefix) =>
      client.zrangebyscore(`${prefix}usage`, range.since ?? '-inf', range.until ?? '+inf'),
    );
    const records: UsageRecord[] = [];
    for (const member of members) {
      const values = parseMember(member);
      if (values) records.push(usageRecordFromValues(values.slice(1)));
    }
    return records;
  }

  async prune(before: number): Promise<number> {
    return this.store.runCommands((client, prefix) => client.zremrangebyscore(`${prefix}usage`, '-inf', `(${before}`));
  }

  /** The store owns the connection and closes it. */
  async close(): Promise<void> {}
}

/** A member's values, or undefined for one this version cannot read (another format, or not JSON). */
function parseMember(member: string): unknown[] | undefined {
  try {
    const values: unknown = JSON.parse(member);
    return Array.isArray(values) && values[0] === REDIS_USAGE_FORMAT ? values : undefined;
  } catch {
    return undefined;
  }
}
