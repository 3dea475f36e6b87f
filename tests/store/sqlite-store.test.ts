/**
 * What only the SQLite backend promises: the file (created 0600 in a created
 * directory), WAL, a versioned schema that is migrated forward and refused
 * when newer, data that survives reopening, and linear growth per turn.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultStorePath, openResponseStore, StoreOpenError } from '../../src/store/open-store.js';
import { MIGRATIONS, type Migration, migrate, StoreSchemaError } from '../../src/store/sqlite-migrations.js';
import { SqliteResponseStore } from '../../src/store/sqlite-store.js';
import { DEFAULT_TTL_MS } from '../../src/store/types.js';
import { createTestStore, removeTempDirectories, tempDirectory } from './support.js';
import { makeTurn } from './turns.js';

afterAll(removeTempDirectories);

const LIMITS = { ttlMs: DEFAULT_TTL_MS, maxBytes: 64 * 1024 * 1024 };

function inspect<Result>(path: string, read: (db: Database.Database) => Result): Result {
  const db = new Database(path, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('SQLite session store', () => {
  it('creates the directory and a file only its owner can read, in WAL mode', async () => {
    const path = join(tempDirectory(), 'nested', 'state', 'sessions.db');
    const store = openResponseStore({ kind: 'sqlite', path, ...LIMITS });
    await store.save(makeTurn('resp_1', null, 'hello'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    expect(inspect(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    await store.close();
  });

  it('places the default file under XDG_STATE_HOME, else ~/.local/state', () => {
    expect(defaultStorePath({ XDG_STATE_HOME: '/var/state' }, '/home/me')).toBe(
      '/var/state/responses-relay/sessions.db',
    );
    expect(defaultStorePath({}, '/home/me')).toBe('/home/me/.local/state/responses-relay/sessions.db');
    expect(defaultStorePath({ XDG_STATE_HOME: 'relative/dir' }, '/home/me')).toBe(
      '/home/me/.local/state/responses-relay/sessions.db',
    );
  });

  it('names the path when the file cannot be created or opened', () => {
    const directory = tempDirectory();
    const cases = [join('/proc', 'no-such-dir', 'sessions.db'), directory];
    for (const path of cases) {
      let error: unknown;
      try {
        openResponseStore({ kind: 'sqlite', path, ...LIMITS });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(StoreOpenError);
      expect((error as Error).message).toContain(`cannot open the session store at ${path}`);
    }
  });

  it('keeps every turn across a reopen of the same file', async () => {
    const path = join(tempDirectory(), 'sessions.db');
    const first = createTestStore('sqlite', { path });
    await first.save(makeTurn('resp_1', null, 'one'));
    await first.save(makeTurn('resp_2', 'resp_1', 'two'));
    await first.close();
    const second = createTestStore('sqlite', { path });
    const lookup = await second.chain('resp_2');
    expect(lookup.status === 'found' && lookup.turns.map((turn) => turn.id)).toEqual(['resp_1', 'resp_2']);
    await second.save(makeTurn('resp_3', 'resp_2', 'three'));
    expect((await second.chain('resp_3')).status).toBe('found');
    await second.close();
    expect(inspect(path, (db) => db.prepare('SELECT version FROM schema_migrations').pluck().all())).toEqual(
      MIGRATIONS.map((migration) => migration.version),
    );
  });

  it('grows linearly: each turn stores only its own items', async () => {
    const store = createTestStore('sqlite');
    let previous: string | null = null;
    let bytesAtTen = 0;
    for (let index = 0; index < 200; index++) {
      const id = `resp_${index}`;
      await store.save(makeTurn(id, previous, `message ${index}`, { padding: 500 }));
      previous = id;
      if (index === 9) bytesAtTen = (await store.stats()).bytes;
    }
    const bytes = (await store.stats()).bytes;
    // 20 times the turns, about 20 times the bytes (a copied history would be ~400 times).
    expect(bytes / bytesAtTen).toBeGreaterThan(19);
    expect(bytes / bytesAtTen).toBeLessThan(21);
    await store.close();
  });

  it('refuses a database written by a newer relay, and leaves it untouched', async () => {
    const path = join(tempDirectory(), 'sessions.db');
    await createTestStore('sqlite', { path }).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (7, ?, 0)').run(
      'from the future',
    );
    db.close();
    expect(() => openResponseStore({ kind: 'sqlite', path, ...LIMITS })).toThrow(
      /was written by a newer responses-relay \(schema version 7; this version knows up to 2\)/,
    );
    expect(inspect(path, (check) => check.prepare('SELECT max(version) FROM schema_migrations').pluck().get())).toBe(7);
  });

  it('refuses a database that is not a session store', () => {
    const path = join(tempDirectory(), 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    db.close();
    expect(() => openResponseStore({ kind: 'sqlite', path, ...LIMITS })).toThrow(/not a responses-relay session store/);
  });

  it('runs each new migration once, in a transaction that rolls back on failure', () => {
    const db = new Database(':memory:');
    const latest = MIGRATIONS.at(-1)!.version;
    const second: Migration = {
      version: latest + 1,
      description: 'notes',
      up: (target) => target.exec('CREATE TABLE notes (text TEXT)'),
    };
    const broken: Migration = {
      version: latest + 2,
      description: 'half done',
      up: (target) => {
        target.exec('CREATE TABLE half (x)');
        throw new Error('migration failed');
      },
    };
    expect(migrate(db, MIGRATIONS)).toEqual({ from: 0, to: latest });
    expect(migrate(db, MIGRATIONS)).toEqual({ from: latest, to: latest });
    expect(migrate(db, [...MIGRATIONS, second])).toEqual({ from: latest, to: latest + 1 });
    expect(() => migrate(db, [...MIGRATIONS, second, broken])).toThrow('migration failed');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toContain('notes');
    expect(tables).not.toContain('half');
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(latest + 1);
    expect(() => migrate(db, MIGRATIONS)).toThrow(StoreSchemaError);
    db.close();
  });

  it('removes the rows of expired conversations when it sweeps', async () => {
    let now = 1_800_000_000_000;
    const path = join(tempDirectory(), 'sessions.db');
    const store = new SqliteResponseStore({ path, ttlMs: 1_000, maxBytes: LIMITS.maxBytes, now: () => now });
    await store.save(
      makeTurn('resp_1', null, 'one', { call: { callId: 'call_1', name: 'f', arguments: '{}', reasoning: 'why' } }),
    );
    await store.save(makeTurn('resp_2', 'resp_1', 'two'));
    now += 2_000;
    await store.sweep();
    const counts = inspect(path, (db) =>
      ['conversations', 'turns', 'tool_calls'].map((table) =>
        db.prepare(`SELECT count(*) FROM ${table}`).pluck().get(),
      ),
    );
    expect(counts).toEqual([0, 0, 0]);
    await store.close();
  });
});
