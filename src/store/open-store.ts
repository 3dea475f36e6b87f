/**
 * Opens the backend chosen on the command line. For SQLite this creates the
 * directory and the file (readable by the owner only) and turns every way of
 * failing into one StoreOpenError naming the path.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { relayStateDirectory } from '../paths.js';
import { MemoryResponseStore } from './memory-store.js';
import { StoreSchemaError } from './sqlite-migrations.js';
import { SqliteResponseStore } from './sqlite-store.js';
import type { ResponseStore, StoreKind, StoreLimits } from './types.js';

export interface StoreConfig extends StoreLimits {
  kind: StoreKind;
  /** SQLite file; defaults to defaultStorePath(). */
  path?: string | undefined;
}

/** A store that cannot be opened: the message names the path and the reason. */
export class StoreOpenError extends Error {
  readonly path: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot open the session store at ${path}: ${reason}`, options);
    this.name = 'StoreOpenError';
    this.path = path;
  }
}

/** `$XDG_STATE_HOME/responses-relay/sessions.db`, else `~/.local/state/responses-relay/sessions.db`. */
export function defaultStorePath(environment: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(relayStateDirectory(environment, home), 'sessions.db');
}

/** Opens the configured store; throws StoreOpenError when it cannot. */
export function openResponseStore(config: StoreConfig): ResponseStore {
  if (config.kind === 'memory') return new MemoryResponseStore(config);
  const path = resolve(config.path ?? defaultStorePath());
  prepareDatabaseFile(path);
  try {
    return new SqliteResponseStore({ ...config, path });
  } catch (error) {
    if (error instanceof StoreSchemaError) throw new StoreOpenError(path, error.message, { cause: error });
    throw new StoreOpenError(path, describe(error), { cause: error });
  }
}

/** Creates the directory and, if missing, the file with mode 0600 (stored conversations are plaintext). */
function prepareDatabaseFile(path: string): void {
  const directory = dirname(path);
  try {
    makeDirectory(directory);
  } catch (error) {
    throw new StoreOpenError(path, `cannot create the directory ${directory} (${describe(error)})`, { cause: error });
  }
  let descriptor: number;
  try {
    descriptor = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // an existing store keeps its permissions
    throw new StoreOpenError(path, describe(error), { cause: error });
  }
  try {
    chmodSync(path, 0o600); // in case the umask took bits away from what we asked for
  } finally {
    closeSync(descriptor);
  }
}

/**
 * mkdir -p, one level at a time. (Node's recursive mkdirSync never returns for
 * some paths, e.g. under /proc, where mkdir keeps failing with ENOENT.)
 */
function makeDirectory(directory: string): void {
  const missing: string[] = [];
  for (let current = directory; !existsSync(current); current = dirname(current)) {
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (error) {
      // Created by someone else in the meantime is fine.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
