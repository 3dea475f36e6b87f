/**
 * Usage records in the session store's SQLite file (table `usage_turns`,
 * created by the store's migrations). The ledger has its own connection, so
 * its writes never wait behind a conversation's, and writes a batch of
 * records in one transaction.
 */
import Database from 'better-sqlite3';
import { migrate } from '../store/sqlite-migrations.js';
import { usageRecordFromValues } from './record-values.js';
import type { UsageLedger, UsageRange, UsageRecord } from './types.js';

interface UsageRow {
  id: string;
  started_at: number;
  client: string;
  transport: string;
  provider: string;
  requested_model: string;
  upstream_model: string;
  outcome: string;
  error_code: string | null;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  first_token_ms: number | null;
  duration_ms: number;
  retries: number;
  fallbacks: number;
  cost_usd: number | null;
  saved_usd: number | null;
}

const COLUMNS: ReadonlyArray<keyof UsageRow> = [
  'id',
  'started_at',
  'client',
  'transport',
  'provider',
  'requested_model',
  'upstream_model',
  'outcome',
  'error_code',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'first_token_ms',
  'duration_ms',
  'retries',
  'fallbacks',
  'cost_usd',
  'saved_usd',
];

export interface SqliteLedgerOptions {
  path: string;
  /** Open the file read-only (the `usage` command); the schema must then exist already. */
  readonly?: boolean;
}

export class SqliteUsageLedger implements UsageLedger {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertAll: (records: readonly UsageRecord[]) => void;
  /** Rows as arrays (half the cost of row objects over a month of turns). */
  private readonly select: Database.Statement<[number, number], unknown[]>;

  constructor(options: SqliteLedgerOptions) {
    this.db = new Database(options.path, {
      timeout: 1_000,
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    try {
      if (!options.readonly) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
        migrate(this.db);
      }
      this.insert = this.db.prepare(
        `INSERT INTO usage_turns (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((column) => `@${column}`).join(', ')})`,
      );
      this.select = this.db
        .prepare<[number, number], unknown[]>(
          `SELECT ${COLUMNS.join(', ')} FROM usage_turns WHERE started_at >= ? AND started_at <= ? ORDER BY started_at, seq`,
        )
        .raw(true);
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.insertAll = this.db.transaction((records: readonly UsageRecord[]) => {
      for (const record of records) this.insert.run(toRow(record));
    });
  }

  async record(records: readonly UsageRecord[]): Promise<void> {
    if (records.length > 0) this.insertAll(records);
  }

  async query(range: UsageRange): Promise<UsageRecord[]> {
    const rows = this.select.all(range.since ?? 0, range.until ?? Number.MAX_SAFE_INTEGER);
    // COLUMNS are in the order of USAGE_RECORD_FIELDS.
    return rows.map(usageRecordFromValues);
  }

  async prune(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM usage_turns WHERE started_at < ?').run(before).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toRow(record: UsageRecord): UsageRow {
  return {
    id: record.id,
    started_at: record.startedAt,
    client: record.client,
    transport: record.transport,
    provider: record.provider,
    requested_model: record.requestedModel,
    upstream_model: record.upstreamModel,
    outcome: record.outcome,
    error_code: record.errorCode,
    input_tokens: record.inputTokens,
    cached_input_tokens: record.cachedInputTokens,
    output_tokens: record.outputTokens,
    reasoning_tokens: record.reasoningTokens,
    first_token_ms: record.firstTokenMs,
    duration_ms: record.durationMs,
    retries: record.retries,
    fallbacks: record.fallbacks,
    cost_usd: record.costUsd,
    saved_usd: record.savedUsd,
  };
}
