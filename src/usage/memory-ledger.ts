/**
 * Usage records in memory: a ring of the newest records (100,000 by default,
 * a few tens of MB at most). Nothing survives a restart.
 */
import type { UsageLedger, UsageRange, UsageRecord } from './types.js';

export const DEFAULT_MEMORY_LEDGER_RECORDS = 100_000;

export class MemoryUsageLedger implements UsageLedger {
  readonly kind = 'memory';
  private readonly capacity: number;
  private readonly ring: UsageRecord[] = [];
  /** Index of the oldest record once the ring is full. */
  private start = 0;

  constructor(capacity: number = DEFAULT_MEMORY_LEDGER_RECORDS) {
    this.capacity = Math.max(1, capacity);
  }

  async record(records: readonly UsageRecord[]): Promise<void> {
    for (const record of records) {
      if (this.ring.length < this.capacity) this.ring.push(record);
      else {
        this.ring[this.start] = record;
        this.start = (this.start + 1) % this.capacity;
      }
    }
  }

  async query(range: UsageRange): Promise<UsageRecord[]> {
    const ordered = [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    return ordered
      .filter(
        (record) =>
          (range.since === undefined || record.startedAt >= range.since) &&
          (range.until === undefined || record.startedAt <= range.until),
      )
      .sort((first, second) => first.startedAt - second.startedAt);
  }

  async prune(before: number): Promise<number> {
    const kept = (await this.query({})).filter((record) => record.startedAt >= before);
    const removed = this.ring.length - kept.length;
    this.ring.length = 0;
    this.ring.push(...kept);
    this.start = 0;
    return removed;
  }

  async close(): Promise<void> {}
}
