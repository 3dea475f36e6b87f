/**
 * The SQLite schema and its history. Each migration runs once, in its own
 * transaction, and is recorded in `schema_migrations`; a database written by
 * a newer relay (a version this one does not know) is refused, never altered.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

/** A database this relay must not touch: newer than it, or not a session store at all. */
export class StoreSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreSchemaError';
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'conversations, turns and the tool-call index',
    up(db) {
      db.exec(`
        CREATE TABLE conversations (
          id TEXT PRIMARY KEY,
          last_used_at INTEGER NOT NULL,
          bytes INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX conversations_by_last_use ON conversations (last_used_at);

        -- seq is never reused (AUTOINCREMENT), so a child's parent_seq can never point at a newer turn.
        -- Small columns come first: walking a chain reads them without touching the JSON.
        CREATE TABLE turns (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          parent_seq INTEGER,
          parent_id TEXT,
          conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          created_at INTEGER NOT NULL,
          bytes INTEGER NOT NULL,
          input TEXT NOT NULL,
          output TEXT NOT NULL,
          response TEXT NOT NULL
        );
        CREATE INDEX turns_by_conversation ON turns (conversation_id);

        CREATE TABLE tool_calls (
          call_key TEXT NOT NULL,
          turn_seq INTEGER NOT NULL REFERENCES turns (seq) ON DELETE CASCADE,
          PRIMARY KEY (call_key, turn_seq)
        ) WITHOUT ROWID;
        CREATE INDEX tool_calls_by_turn ON tool_calls (turn_seq);
      `);
    },
  },
  {
    version: 2,
    description: 'the usage ledger',
    up(db) {
      // One row per turn: counts and timings only, never content.
      db.exec(`
        CREATE TABLE usage_turns (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          client TEXT NOT NULL,
          transport TEXT NOT NULL,
          provider TEXT NOT NULL,
          requested_model TEXT NOT NULL,
          upstream_model TEXT NOT NULL,
          outcome TEXT NOT NULL,
          error_code TEXT,
          input_tokens INTEGER NOT NULL,
          cached_input_tokens INTEGER NOT NULL,
          output_tokens INTEGER NOT NULL,
          reasoning_tokens INTEGER NOT NULL,
          first_token_ms INTEGER,
          duration_ms INTEGER NOT NULL,
          retries INTEGER NOT NULL,
          fallbacks INTEGER NOT NULL,
          cost_usd REAL,
          saved_usd REAL
        );
        CREATE INDEX usage_turns_by_start ON usage_turns (started_at);
      `);
    },
  },
];

/** Brings the schema up to the latest version; returns the version found and the version now. */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): { from: number; to: number } {
  const latest = migrations.at(-1)?.version ?? 0;
  const hasTable =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").pluck().get() === 1;
  if (!hasTable) {
    const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
    if (tables > 0)
      throw new StoreSchemaError(
        'it holds tables but no schema_migrations table, so it is not a responses-relay session store',
      );
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
  }
  const current = (db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
  if (current > latest) {
    throw new StoreSchemaError(
      `it was written by a newer responses-relay (schema version ${current}; this version knows up to ${latest}); upgrade responses-relay or use another --store-path`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      record.run(migration.version, migration.description, now());
    })();
  }
  return { from: current, to: Math.max(current, latest) };
}
