/**
 * The SQLite backend (better-sqlite3). A conversation is a row in
 * `conversations` (its last use and size) and one row per turn in `turns`;
 * a continuation walks `parent_id` links with one recursive query.
 *
 * - WAL with synchronous=NORMAL: a commit survives a killed process, and the
 *   file is never left corrupt; at most the turn being written is lost.
 * - Every write is one transaction; statements are prepared once.
 * - Expiry and the size cap are enforced off the request path, in small
 *   batches, least recently used conversations first; reads never return an
 *   expired conversation even before the sweep removes it.
 */
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate, type Migration } from './sqlite-migrations.js';
import { toolCallKeysOf } from './tool-call-key.js';
import {
  DEFAULT_SWEEP_INTERVAL_MS,
  reasoningItemsOf,
  type ChainLookup,
  type ChainTurn,
  type RecoveredReasoning,
  type ResponseStore,
  type StoreLimits,
  type StoreStats,
  type StoredTurn,
  warnBackgroundError,
} from './types.js';

export interface SqliteStoreOptions extends StoreLimits {
  /** The database file; it must already exist or be creatable (see open-store.ts). */
  path: string;
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  /** The schema history (tests pass their own). */
  migrations?: readonly Migration[];
}

/** Conversations removed per maintenance transaction, so one batch never stalls requests for long. */
const MAINTENANCE_BATCH = 100;

interface ChainRow {
  id: string;
  parent_id: string | null;
  conversation_id: string;
  input: string;
  output: string;
}

interface TurnRow {
  parent_id: string | null;
  created_at: number;
  input: string;
  output: string;
  response: string;
}

export class SqliteResponseStore implements ResponseStore {
  readonly kind = 'sqlite' as const;
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly statements;
  private readonly saveTransaction: (turn: StoredTurn) => void;
  private readonly deleteTransaction: (id: string) => boolean;
  /** Bytes of stored JSON, kept in step with every write and recounted by each sweep. */
  private totalBytes: number;
  /** The latest use stamp handed out (see useStamp). */
  private lastStamp: number;
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
    const db = this.db;
    this.statements = {
      conversationOf: db.prepare<[string], string>('SELECT conversation_id FROM turns WHERE id = ?').pluck(),
      upsertConversation: db.prepare<[string, number, number]>(
        `INSERT INTO conversations (id, last_used_at, bytes) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_used_at = max(last_used_at, excluded.last_used_at), bytes = bytes + excluded.bytes`,
      ),
      insertTurn: db.prepare<[string, string | null, string, number, string, string, string, number]>(
        'INSERT INTO turns (id, parent_id, conversation_id, created_at, input, output, response, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertCallKey: db.prepare<[string, string]>('INSERT OR IGNORE INTO tool_calls (call_key, response_id) VALUES (?, ?)'),
      getTurn: db.prepare<[string, number], TurnRow>(
        `SELECT t.parent_id, t.created_at, t.input, t.output, t.response FROM turns t
         JOIN conversations c ON c.id = t.conversation_id WHERE t.id = ? AND c.last_used_at >= ?`,
      ),
      chain: db.prepare<[string], ChainRow>(
        `WITH RECURSIVE chain (id, parent_id, conversation_id, input, output, depth) AS (
           SELECT id, parent_id, conversation_id, input, output, 0 FROM turns WHERE id = ?
           UNION ALL
           SELECT t.id, t.parent_id, t.conversation_id, t.input, t.output, chain.depth + 1
           FROM turns t JOIN chain ON t.id = chain.parent_id
         )
         SELECT id, parent_id, conversation_id, input, output FROM chain ORDER BY depth DESC`,
      ),
      lastUse: db.prepare<[string], number>('SELECT last_used_at FROM conversations WHERE id = ?').pluck(),
      touch: db.prepare<[number, string, number]>('UPDATE conversations SET last_used_at = ? WHERE id = ? AND last_used_at < ?'),
      deleteTurn: db.prepare<[string], { conversation_id: string; bytes: number }>('DELETE FROM turns WHERE id = ? RETURNING conversation_id, bytes'),
      subtractBytes: db.prepare<[number, string]>('UPDATE conversations SET bytes = bytes - ? WHERE id = ?'),
      deleteIfEmpty: db.prepare<[string, string]>('DELETE FROM conversations WHERE id = ? AND NOT EXISTS (SELECT 1 FROM turns WHERE conversation_id = ?)'),
      reasoningByKeys: db.prepare<[string, number], { call_key: string; id: string; output: string }>(
        `SELECT k.call_key, t.id, t.output FROM tool_calls k
         JOIN turns t ON t.id = k.response_id
         JOIN conversations c ON c.id = t.conversation_id
         WHERE k.call_key IN (SELECT value FROM json_each(?)) AND c.last_used_at >= ?
         ORDER BY t.created_at DESC`,
      ),
      expired: db.prepare<[number, number], { id: string; bytes: number }>('SELECT id, bytes FROM conversations WHERE last_used_at < ? LIMIT ?'),
      leastRecentlyUsed: db.prepare<[string, number], { id: string; bytes: number }>(
        'SELECT id, bytes FROM conversations WHERE id <> ? ORDER BY last_used_at LIMIT ?',
      ),
      deleteConversation: db.prepare<[string]>('DELETE FROM conversations WHERE id = ?'),
      totalBytes: db.prepare<[], number>('SELECT coalesce(sum(bytes), 0) FROM conversations').pluck(),
      turnCount: db.prepare<[], number>('SELECT count(*) FROM turns').pluck(),
    };
    this.saveTransaction = db.transaction((turn: StoredTurn) => this.insert(turn));
    this.deleteTransaction = db.transaction((id: string) => this.remove(id));
    this.totalBytes = this.statements.totalBytes.get() ?? 0;
    this.lastStamp = db.prepare<[], number>('SELECT coalesce(max(last_used_at), 0) FROM conversations').pluck().get() ?? 0;
    this.reportError = options.onBackgroundError ?? warnBackgroundError;
    this.sweepTimer = setInterval(() => this.sweep().catch(this.reportError), options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
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
      input: JSON.parse(row.input),
      output: JSON.parse(row.output),
      response: JSON.parse(row.response),
      createdAt: row.created_at,
    };
  }

  async chain(id: string): Promise<ChainLookup> {
    const rows = this.statements.chain.all(id);
    const leaf = rows.at(-1);
    if (!leaf) return { status: 'missing' };
    const lastUse = this.statements.lastUse.get(leaf.conversation_id);
    if (lastUse === undefined || lastUse < this.cutoff()) return { status: 'missing' };
    const stamp = this.useStamp();
    this.statements.touch.run(stamp, leaf.conversation_id, stamp);
    this.lastConversation = leaf.conversation_id;
    const turns: ChainTurn[] = rows.map((row) => ({ id: row.id, input: JSON.parse(row.input), output: JSON.parse(row.output) }));
    const root = rows[0]!;
    if (root.parent_id !== null) return { status: 'broken', missingId: root.parent_id, turns };
    return { status: 'found', turns };
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
        recovered = { responseId: row.id, items: reasoningItemsOf(JSON.parse(row.output)) };
        outputs.set(row.id, recovered);
      }
      found.set(row.call_key, recovered);
    }
    return found;
  }

  async stats(): Promise<StoreStats> {
    return { turns: this.statements.turnCount.get() ?? 0, bytes: this.statements.totalBytes.get() ?? 0 };
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
    const conversation = (turn.previousResponseId === null ? undefined : this.statements.conversationOf.get(turn.previousResponseId)) ?? turn.id;
    this.statements.upsertConversation.run(conversation, this.useStamp(), bytes);
    this.statements.insertTurn.run(turn.id, turn.previousResponseId, conversation, turn.createdAt, input, output, response, bytes);
    if (reasoningItemsOf(turn.output).length > 0) {
      for (const key of toolCallKeysOf(turn.output)) this.statements.insertCallKey.run(key, turn.id);
    }
    this.totalBytes += bytes;
    this.lastConversation = conversation;
  }

  private remove(id: string): boolean {
    const removed = this.statements.deleteTurn.get(id);
    if (!removed) return false;
    this.statements.subtractBytes.run(removed.bytes, removed.conversation_id);
    this.statements.deleteIfEmpty.run(removed.conversation_id, removed.conversation_id);
    this.totalBytes -= removed.bytes;
    return true;
  }

  private async runMaintenance(): Promise<void> {
    let removed = 0;
    for (;;) {
      if (this.closed) return;
      const batch = this.db.transaction(() => this.maintenanceBatch())();
      removed += batch.removed;
      if (!batch.more) break;
      // Let requests run between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (this.closed) return;
    this.totalBytes = this.statements.totalBytes.get() ?? 0;
    if (removed > 0) this.db.pragma('incremental_vacuum');
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
