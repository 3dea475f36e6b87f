/**
 * The memory backend: an lru-cache of turns bounded by count, by bytes of
 * stored JSON (`maxSize` + `sizeCalculation`) and by age (`ttl`). Walking a
 * chain reads every turn in it, which refreshes their age and recency, so an
 * active conversation stays while idle ones are dropped first.
 * Turns are kept as JSON strings: compact, immutable, and sized exactly.
 */
import { LRUCache } from 'lru-cache';
import { readStoredItems } from './stored-items.js';
import { toolCallKeysOf } from './tool-call-key.js';
import {
  type ChainLookup,
  type ChainTurn,
  DEFAULT_SWEEP_INTERVAL_MS,
  type RecoveredReasoning,
  type ResponseStore,
  reasoningItemsOf,
  type StoredTurn,
  type StoreLimits,
  type StoreStats,
} from './types.js';

interface MemoryEntry {
  parentId: string | null;
  createdAt: number;
  input: string;
  output: string;
  response: string;
  /** Keys of the tool calls this turn made next to reasoning (see tool-call-key.ts). */
  callKeys: string[];
}

/**
 * Upper bound on stored turns, whatever their size. save() keeps it rather
 * than lru-cache's `max`, which allocates index arrays for every entry up
 * front: about 5.6 MB of heap in a relay that may store a few hundred turns.
 */
export const MEMORY_MAX_TURNS = 100_000;
/** Bookkeeping per entry beyond its JSON (keys, object headers). */
const ENTRY_OVERHEAD_BYTES = 200;

export class MemoryResponseStore implements ResponseStore {
  readonly kind = 'memory' as const;
  private readonly cache: LRUCache<string, MemoryEntry>;
  /** Tool-call key → id of the latest turn that made the call. */
  private readonly callIndex = new Map<string, string>();
  private readonly sweepTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    limits: StoreLimits,
    private readonly maxTurns = MEMORY_MAX_TURNS,
  ) {
    const now = limits.now ?? Date.now;
    this.cache = new LRUCache<string, MemoryEntry>({
      maxSize: limits.maxBytes,
      sizeCalculation: entrySize,
      ttl: limits.ttlMs,
      // Every read extends a turn's life: the TTL counts from last use.
      updateAgeOnGet: true,
      perf: { now },
      ttlResolution: 0,
      dispose: (entry, id) => this.unindex(entry, id),
    });
    this.sweepTimer = setInterval(() => this.cache.purgeStale(), limits.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  async save(turn: StoredTurn): Promise<void> {
    const callKeys = reasoningItemsOf(turn.output).length > 0 ? toolCallKeysOf(turn.output) : [];
    const entry: MemoryEntry = {
      parentId: turn.previousResponseId,
      createdAt: turn.createdAt,
      input: JSON.stringify(turn.input),
      output: JSON.stringify(turn.output),
      response: JSON.stringify(turn.response),
      callKeys,
    };
    this.cache.set(turn.id, entry);
    if (!this.cache.has(turn.id)) {
      throw new Error(`response ${turn.id} (${entrySize(entry)} bytes) is larger than the whole memory store budget`);
    }
    while (this.cache.size > this.maxTurns) this.cache.pop();
    for (const key of callKeys) this.callIndex.set(key, turn.id);
  }

  async get(id: string): Promise<StoredTurn | undefined> {
    const entry = this.cache.get(id);
    if (!entry) return undefined;
    return {
      id,
      previousResponseId: entry.parentId,
      input: readStoredItems(entry.input, id, 'input'),
      output: readStoredItems(entry.output, id, 'output'),
      response: JSON.parse(entry.response),
      createdAt: entry.createdAt,
    };
  }

  async chain(id: string): Promise<ChainLookup> {
    const first = this.cache.get(id);
    if (!first) return { status: 'missing' };
    let entry: MemoryEntry = first;
    const turns: ChainTurn[] = [];
    let currentId = id;
    for (;;) {
      turns.push({
        id: currentId,
        input: readStoredItems(entry.input, currentId, 'input'),
        output: readStoredItems(entry.output, currentId, 'output'),
      });
      const parentId: string | null = entry.parentId;
      if (parentId === null) break;
      const parent: MemoryEntry | undefined = turns.length <= this.cache.size ? this.cache.get(parentId) : undefined;
      if (!parent) return { status: 'broken', missingId: parentId, turns: turns.reverse() };
      entry = parent;
      currentId = parentId;
    }
    return { status: 'found', turns: turns.reverse() };
  }

  async delete(id: string): Promise<boolean> {
    return this.cache.delete(id);
  }

  async reasoningForCalls(callKeys: readonly string[]): Promise<Map<string, RecoveredReasoning>> {
    const found = new Map<string, RecoveredReasoning>();
    for (const key of callKeys) {
      const responseId = this.callIndex.get(key);
      const entry = responseId === undefined ? undefined : this.cache.get(responseId);
      if (responseId === undefined || !entry) continue;
      found.set(key, { responseId, items: reasoningItemsOf(readStoredItems(entry.output, responseId, 'output')) });
    }
    return found;
  }

  mayHoldReasoning(): boolean {
    return this.callIndex.size > 0;
  }

  async stats(): Promise<StoreStats> {
    return { turns: this.cache.size, bytes: this.cache.calculatedSize };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the memory session store is closed');
  }

  async sweep(): Promise<void> {
    this.cache.purgeStale();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.cache.clear();
    this.callIndex.clear();
  }

  private unindex(entry: MemoryEntry, id: string): void {
    for (const key of entry.callKeys) {
      if (this.callIndex.get(key) === id) this.callIndex.delete(key);
    }
  }
}

function entrySize(entry: MemoryEntry): number {
  return (
    ENTRY_OVERHEAD_BYTES + entry.input.length + entry.output.length + entry.response.length + entry.callKeys.length * 48
  );
}
