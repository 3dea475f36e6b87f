/** Where the compaction key comes from: a 0600 key file made once beside the store, or an environment variable. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadCompactionKey } from '../../src/cli/compaction-key.js';

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'relay-key-'));
  directories.push(directory);
  return directory;
}

it('creates a random 32-byte key file with mode 0600 beside the store, and reads the same key on the next start', () => {
  const directory = temporaryDirectory();
  const storePath = join(directory, 'state', 'relay.sqlite');
  const first = loadCompactionKey({ storePath }, {});
  const path = join(directory, 'state', 'compaction.key');
  expect(first).toHaveLength(32);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(loadCompactionKey({ storePath }, {})).toEqual(first);
  expect(readFileSync(path)).toEqual(first);
  // The state directory is the default place.
  expect(loadCompactionKey({}, { XDG_STATE_HOME: directory })).not.toEqual(first);
  // The memory store leaves no file behind.
  const empty = temporaryDirectory();
  expect(loadCompactionKey({ store: 'memory' }, { XDG_STATE_HOME: empty })).toHaveLength(32);
  expect(readdirSync(empty)).toEqual([]);
});

it('takes the key from --compaction-key-env, the same on every relay, and refuses a short or missing one', () => {
  const secret = 'a'.repeat(64);
  const key = loadCompactionKey({ compactionKeyEnv: 'RELAY_KEY' }, { RELAY_KEY: secret });
  expect(loadCompactionKey({ compactionKeyEnv: 'RELAY_KEY' }, { RELAY_KEY: secret })).toEqual(key);
  expect(key).toHaveLength(32);
  expect(() => loadCompactionKey({ compactionKeyEnv: 'RELAY_KEY' }, { RELAY_KEY: 'short' })).toThrow(
    /at least 32 characters/,
  );
  expect(() => loadCompactionKey({ compactionKeyEnv: 'RELAY_KEY' }, {})).toThrow(/RELAY_KEY/);
});

it('refuses a key file of the wrong size with a message naming it', () => {
  const directory = temporaryDirectory();
  writeFileSync(join(directory, 'compaction.key'), 'not a key');
  expect(() => loadCompactionKey({ storePath: join(directory, 'relay.sqlite') }, {})).toThrow(
    /compaction\.key.*9 bytes/,
  );
});
