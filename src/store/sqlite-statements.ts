/** Every SQL statement of the SQLite backend, prepared once per connection. */
import type { Database } from 'better-sqlite3';

/** One step of a chain walk: [seq, depth]. */
export type ChainStep = [number, number];

export interface TurnRow {
  parent_id: string | null;
  created_at: number;
  input: string;
  output: string;
  response: string;
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Prepares the statements the store runs. */
export function prepareStatements(db: Database) {
  return {
    parentOf: db.prepare<[string], { seq: number; conversation_id: string }>(
      'SELECT seq, conversation_id FROM turns WHERE id = ?',
    ),
    upsertConversation: db.prepare<[string, number, number]>(
      `INSERT INTO conversations (id, last_used_at, bytes) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET last_used_at = max(last_used_at, excluded.last_used_at), bytes = bytes + excluded.bytes`,
    ),
    insertTurn: db.prepare<[string, number | null, string | null, string, number, number, string, string, string]>(
      `INSERT INTO turns (id, parent_seq, parent_id, conversation_id, created_at, bytes, input, output, response)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertCallKey: db.prepare<[string, number | bigint]>(
      'INSERT OR IGNORE INTO tool_calls (call_key, turn_seq) VALUES (?, ?)',
    ),
    getTurn: db.prepare<[string, number], TurnRow>(
      `SELECT t.parent_id, t.created_at, t.input, t.output, t.response FROM turns t
       JOIN conversations c ON c.id = t.conversation_id WHERE t.id = ? AND c.last_used_at >= ?`,
    ),
    // Walks integer keys only; ids and JSON are read separately, and only for turns not cached.
    chain: db
      .prepare<[string], ChainStep>(
        `WITH RECURSIVE chain (seq, parent_seq, depth) AS (
           SELECT seq, parent_seq, 0 FROM turns WHERE id = ?
           UNION ALL
           SELECT t.seq, t.parent_seq, chain.depth + 1 FROM turns t JOIN chain ON t.seq = chain.parent_seq
         )
         SELECT seq, depth FROM chain`,
      )
      .raw(),
    conversationOfSeq: db.prepare<[number], { id: string; last_used_at: number }>(
      'SELECT c.id, c.last_used_at FROM turns t JOIN conversations c ON c.id = t.conversation_id WHERE t.seq = ?',
    ),
    parentIdOfSeq: db.prepare<[number], string | null>('SELECT parent_id FROM turns WHERE seq = ?').pluck(),
    turnJson: db.prepare<[string], { seq: number; id: string; input: string; output: string }>(
      'SELECT seq, id, input, output FROM turns WHERE seq IN (SELECT value FROM json_each(?))',
    ),
    touch: db.prepare<[number, string, number]>(
      'UPDATE conversations SET last_used_at = ? WHERE id = ? AND last_used_at < ?',
    ),
    deleteTurn: db.prepare<[string], { seq: number; conversation_id: string; bytes: number }>(
      'DELETE FROM turns WHERE id = ? RETURNING seq, conversation_id, bytes',
    ),
    subtractBytes: db.prepare<[number, string]>('UPDATE conversations SET bytes = bytes - ? WHERE id = ?'),
    deleteIfEmpty: db.prepare<[string, string]>(
      'DELETE FROM conversations WHERE id = ? AND NOT EXISTS (SELECT 1 FROM turns WHERE conversation_id = ?)',
    ),
    reasoningByKeys: db.prepare<[string, number], { call_key: string; id: string; output: string }>(
      `SELECT k.call_key, t.id, t.output FROM tool_calls k
       JOIN turns t ON t.seq = k.turn_seq
       JOIN conversations c ON c.id = t.conversation_id
       WHERE k.call_key IN (SELECT value FROM json_each(?)) AND c.last_used_at >= ?
       ORDER BY t.seq DESC`,
    ),
    expired: db.prepare<[number, number], { id: string; bytes: number }>(
      'SELECT id, bytes FROM conversations WHERE last_used_at < ? LIMIT ?',
    ),
    leastRecentlyUsed: db.prepare<[string, number], { id: string; bytes: number }>(
      'SELECT id, bytes FROM conversations WHERE id <> ? ORDER BY last_used_at LIMIT ?',
    ),
    deleteConversation: db.prepare<[string]>('DELETE FROM conversations WHERE id = ?'),
    totalBytes: db.prepare<[], number>('SELECT coalesce(sum(bytes), 0) FROM conversations').pluck(),
    turnCount: db.prepare<[], number>('SELECT count(*) FROM turns').pluck(),
    anyCallKey: db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM tool_calls)').pluck(),
    maxLastUse: db.prepare<[], number>('SELECT coalesce(max(last_used_at), 0) FROM conversations').pluck(),
    // Reads the first page of a table: fails when the file or the schema is gone.
    ping: db.prepare<[], number>('SELECT 1 FROM conversations LIMIT 1').pluck(),
  };
}
