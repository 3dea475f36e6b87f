/**
 * The SQLite backend (better-sqlite3). A conversation is a row in
 * `conversations` (its last use and size) and one row per turn in `turns`;
 * a continuation walks parent links with one recursive query.
 *
 * - WAL with synchronous=NORMAL: a commit survives a killed process, and the
 *   file is never left corrupt; at most the turn being written is lost.
 * - Every write is one transaction; statements are prepared once.
 * - Expiry and the size cap are enforced off the request path, in small
 *   batches, least recently used conversations first; reads never return an
 *   expired conversation even before the sweep removes it.
 */
import Database from 'better-sqlite3';
import type { InputItem } from '../translate/request/responses-schema.js';
import { MIGRATIONS, type Migration, migrate } from './sqlite-migrations.js';
import { prepareStatements, type Statements } from './sqlite-statements.js';
import { readStoredItems } from './stored-items.js';
import { toolCallKeysOf } from './tool-call-key.js';
import { DEFAULT_TURN_CACHE_BYTES, TurnCache, type TurnContent } from './turn-cache.js';
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
  warnBackgroundError,
} from './types.js';

export interface SqliteStoreOptions extends StoreLimits {
  /** The database file; it must already exist or be creatable (see open-store.ts). */
  path: string;
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  /** The schema history (tests pass their own). */
  migrations?: readonly Migration[];
  /** JSON bytes of parsed turns kept in memory for rebuilds (default 16 MB; 0 turns it off). */
  cacheBytes?: number;
}

export { DEFAULT_TURN_CACHE_BYTES };

/** Conversations removed per maintenance transaction, so one batch never stalls requests for long. */
const MAINTENANCE_BATCH = 100;

export class SqliteResponseStore implements ResponseStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly turnCache: TurnCache;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly statements: Statements;
  private readonly saveTransaction: (turn: StoredTurn) => void;
  private readonly deleteTransaction: (id: string) => boolean;
  /** Bytes of stored JSON, kept in step with every write and recounted by each sweep. */
  private totalBytes: number;
  /** The latest use stamp handed out (see useStamp). */
  private lastStamp: number;
  /** Whether tool_calls has rows (recounted by each sweep, as other connections may write). */
  private holdsReasoning: boolean;
  /** The conversation used last; never evicted for size. */
  private lastConversation = '';
  private maintenance: Promise<void> | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private sweepSoon: NodeJS.Immediate | undefined;
  private readonly reportError: (error: unknown) => void;
  private closed = false;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs;
    this.maxBytes = options.maxBytes;
    this.turnCache = new TurnCache(options.cacheBytes ?? DEFAULT_TURN_CACHE_BYTES);
    this.db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 250 });
    try {
      // Only takes effect on a new file; lets sweeps hand free pages back to the file system.
      this.db.pragma('auto_vacuum = INCREMENTAL');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db, options.migrations ?? MIGRATIONS, this.now);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.statements = prepareStatements(this.db);
    this.saveTransaction = this.db.transaction((turn: StoredTurn) => this.insert(turn));
    this.deleteTransaction = this.db.transaction((id: string) => this.remove(id));
    this.totalBytes = this.statements.totalBytes.get() ?? 0;
    this.lastStamp = this.statements.maxLastUse.get() ?? 0;
    this.holdsReasoning = this.statements.anyCallKey.get() === 1;
    this.reportError = options.onBackgroundError ?? warnBackgroundError;
    this.sweepTimer = setInterval(
      () => this.sweep().catch(this.reportError),
      options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    );
    this.sweepTimer.unref();
    // Clear what expired while the relay was stopped, without delaying startup.
    this.scheduleSweep();
  }

  async save(turn: StoredTurn): Promise<void> {
    this.saveTransaction(turn);
    if (this.totalBytes > this.maxBytes) this.scheduleSweep();
  }

  async get(id: string): Promise<StoredTurn | undefined> {
    const row = this.statements.getTurn.get(id, this.cutoff());
    if (!row) return undefined;
    return {
      id,
      previousResponseId: row.parent_id,
      input: readStoredItems(row.input, id, 'input'),
      output: readStoredItems(row.output, id, 'output'),
      response: JSON.parse(row.response),
      createdAt: row.created_at,
    };
  }

  async chain(id: string): Promise<ChainLookup> {
    const steps = this.statements.chain.all(id);
    if (steps.length === 0) return { status: 'missing' };
    steps.sort((a, b) => b[1] - a[1]); // oldest first
    const conversation = this.statements.conversationOfSeq.get(steps.at(-1)![0]);
    if (!conversation || conversation.last_used_at < this.cutoff()) return { status: 'missing' };
    const stamp = this.useStamp();
    this.statements.touch.run(stamp, conversation.id, stamp);
    this.lastConversation = conversation.id;
    const turns = this.turnContents(steps.map((step) => step[0]));
    const missingId = this.statements.parentIdOfSeq.get(steps[0]![0]);
    if (typeof missingId === 'string') return { status: 'broken', missingId, turns };
    return { status: 'found', turns };
  }

  /** The items of each turn, from the cache or parsed from one query for all the others. */
  private turnContents(seqs: readonly number[]): ChainTurn[] {
    const contents = new Map<number, TurnContent>();
    const missing: number[] = [];
    for (const seq of seqs) {
      const cached = this.turnCache.get(seq);
      if (cached) contents.set(seq, cached);
      else missing.push(seq);
    }
    if (missing.length > 0) {
      for (const row of this.statements.turnJson.all(JSON.stringify(missing)))
        contents.set(row.seq, this.turnCache.parse(row.seq, row.id, row.input, row.output));
    }
    return seqs.map((seq) => {
      const content = contents.get(seq)!;
      return { id: content.id, input: content.input as InputItem[], output: content.output as InputItem[] };
    });
  }

  async delete(id: string): Promise<boolean> {
    return this.deleteTransaction(id);
  }

  async reasoningForCalls(callKeys: readonly string[]): Promise<Map<string, RecoveredReasoning>> {
    const found = new Map<string, RecoveredReasoning>();
    if (callKeys.length === 0) return found;
    const outputs = new Map<string, RecoveredReasoning>();
    for (const row of this.statements.reasoningByKeys.all(JSON.stringify(callKeys), this.cutoff())) {
      if (found.has(row.call_key)) continue; // rows come newest first
      let recovered = outputs.get(row.id);
      if (!recovered) {
        recovered = { responseId: row.id, items: reasoningItemsOf(readStoredItems(row.output, row.id, 'output')) };
        outputs.set(row.id, recovered);
      }
      found.set(row.call_key, recovered);
    }
    return found;
  }

  mayHoldReasoning(): boolean {
    return this.holdsReasoning;
  }

  async stats(): Promise<StoreStats> {
    return { turns: this.statements.turnCount.get() ?? 0, bytes: this.statements.totalBytes.get() ?? 0 };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error(`the session store at ${this.path} is closed`);
    this.statements.ping.get();
  }

  /** Removes expired conversations, then the least recently used ones while over the size cap. */
  sweep(): Promise<void> {
    this.maintenance ??= this.runMaintenance().finally(() => {
      this.maintenance = undefined;
    });
    return this.maintenance;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearImmediate(this.sweepSoon);
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.maintenance?.catch(() => undefined);
    this.turnCache.clear();
    try {
      this.db.pragma('optimize');
    } finally {
      this.db.close();
    }
  }

  /** A sweep right after the current request, never inside it. */
  private scheduleSweep(): void {
    this.sweepSoon ??= setImmediate(() => {
      this.sweepSoon = undefined;
      this.sweep().catch(this.reportError);
    });
  }

  private insert(turn: StoredTurn): void {
    const input = JSON.stringify(turn.input);
    const output = JSON.stringify(turn.output);
    const response = JSON.stringify(turn.response);
    const bytes = Buffer.byteLength(input) + Buffer.byteLength(output) + Buffer.byteLength(response);
    // A parent deleted in the meantime leaves a turn that starts its own conversation.
    const parent = turn.previousResponseId === null ? undefined : this.statements.parentOf.get(turn.previousResponseId);
    const conversation = parent?.conversation_id ?? turn.id;
    this.statements.upsertConversation.run(conversation, this.useStamp(), bytes);
    const { lastInsertRowid } = this.statements.insertTurn.run(
      turn.id,
      parent?.seq ?? null,
      turn.previousResponseId,
      conversation,
      turn.createdAt,
      bytes,
      input,
      output,
      response,
    );
    if (reasoningItemsOf(turn.output).length > 0) {
      for (const key of toolCallKeysOf(turn.output)) {
        this.statements.insertCallKey.run(key, lastInsertRowid);
        this.holdsReasoning = true;
      }
    }
    this.totalBytes += bytes;
    this.lastConversation = conversation;
  }

  private remove(id: string): boolean {
    const removed = this.statements.deleteTurn.get(id);
    if (!removed) return false;
    this.turnCache.delete(removed.seq);
    this.statements.subtractBytes.run(removed.bytes, removed.conversation_id);
    this.statements.deleteIfEmpty.run(removed.conversation_id, removed.conversation_id);
    this.totalBytes -= removed.bytes;
    return true;
  }

  private async runMaintenance(): Promise<void> {
    let removed = 0;
    try {
      for (;;) {
        if (this.closed) return;
        const batch = this.db.transaction(() => this.maintenanceBatch())();
        removed += batch.removed;
        if (!batch.more) break;
        // Let requests run between batches.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (removed > 0) this.db.pragma('incremental_vacuum');
    } finally {
      // Recounted from the table: exact again even if a batch was rolled back.
      if (!this.closed) {
        this.totalBytes = this.statements.totalBytes.get() ?? 0;
        this.holdsReasoning = this.statements.anyCallKey.get() === 1;
      }
    }
  }

  private maintenanceBatch(): { removed: number; more: boolean } {
    const expired = this.statements.expired.all(this.cutoff(), MAINTENANCE_BATCH);
    for (const conversation of expired) this.dropConversation(conversation);
    if (expired.length === MAINTENANCE_BATCH) return { removed: expired.length, more: true };
    if (this.totalBytes <= this.maxBytes) return { removed: expired.length, more: false };
    let removed = expired.length;
    const candidates = this.statements.leastRecentlyUsed.all(this.lastConversation, MAINTENANCE_BATCH);
    for (const conversation of candidates) {
      if (this.totalBytes <= this.maxBytes) break;
      this.dropConversation(conversation);
      removed++;
    }
    return { removed, more: this.totalBytes > this.maxBytes && candidates.length === MAINTENANCE_BATCH };
  }

  private dropConversation(conversation: { id: string; bytes: number }): void {
    this.statements.deleteConversation.run(conversation.id);
    this.totalBytes -= conversation.bytes;
  }

  /**
   * The time of a use, made strictly increasing so that uses within one
   * millisecond still order conversations for eviction.
   */
  private useStamp(): number {
    this.lastStamp = Math.max(this.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  private cutoff(): number {
    return this.now() - this.ttlMs;
  }
}
