/**
 * The key that authenticates the relay's `compaction` items. By default a
 * random 32-byte key in `compaction.key` (mode 0600) beside the SQLite store
 * (in the state directory for Redis), created on first start, so items
 * survive restarts; with the memory store, a key for the process. Relays that share a
 * Redis store must share the key: `--compaction-key-env VAR` reads it from
 * that variable instead (any string of 32 or more characters; it is hashed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError } from '../config/cli-error.js';
import { relayStateDirectory } from '../paths.js';

const KEY_BYTES = 32;
const KEY_FILE = 'compaction.key';

export function loadCompactionKey(
  options: { compactionKeyEnv?: string | undefined; store?: string | undefined; storePath?: string | undefined },
  environment: NodeJS.ProcessEnv,
): Buffer {
  if (options.compactionKeyEnv !== undefined && options.compactionKeyEnv !== '') {
    const value = environment[options.compactionKeyEnv];
    if (value === undefined || value.length < KEY_BYTES) {
      throw new CliError(
        `--compaction-key-env names ${options.compactionKeyEnv}, which must hold a secret of at least ${KEY_BYTES} characters (e.g. openssl rand -hex 32)`,
      );
    }
    return createHash('sha256').update(value).digest();
  }
  // A memory store writes nothing to disk, and neither does its key: summaries last as long as the process.
  if (options.store === 'memory') return randomBytes(KEY_BYTES);
  const directory = options.storePath ? dirname(resolve(options.storePath)) : relayStateDirectory(environment);
  const path = join(directory, KEY_FILE);
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    try {
      // `wx`: a relay starting at the same moment keeps the key the other wrote.
      writeFileSync(path, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const key = readFileSync(path);
    if (key.length !== KEY_BYTES) throw new Error(`it holds ${key.length} bytes, not ${KEY_BYTES}`);
    return key;
  } catch (error) {
    throw new CliError(
      `cannot use the compaction key ${path}: ${(error as Error).message} (remove it to have a new one made, or pass --compaction-key-env)`,
    );
  }
}
