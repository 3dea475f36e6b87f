/**
 * The Redis (or Valkey) backend, shared by several relays behind a load
 * balancer (ioredis). Turns are hashes under the deployment's key prefix
 * (layout in redis-scripts.ts); a continuation walks the chain inside Redis
 * in one round trip, and every write is acknowledged by Redis before the
 * relay sends the response's last event, so the next turn may go to any
 * instance at once.
 *
 * - Turns already parsed are kept in memory (as for SQLite), so a
 *   continuation fetches and parses only the turns this relay has not seen.
 * - Expiry: every turn key carries the TTL, refreshed for the whole chain
 *   whenever it is continued; reads also compare the last use with the clock.
 * - Size: `--store-max-mb` becomes Redis's `maxmemory` with an evicting
 *   policy (`volatile-lru`), so Redis itself drops the least recently used turns.
 * - Redis down or restarting: commands fail at once (no offline queue) with
 *   StoreUnavailableError, ioredis reconnects with backoff, ping() fails until
 *   Redis answers again.
 */
import type { Redis, RedisOptions } from 'ioredis';
import type { InputItem } from '../translate/request/responses-schema.js';
import { CHAIN_SCRIPT, DELETE_SCRIPT, MAX_CHAIN_TURNS, REDIS_SCHEMA_VERSION, SWEEP_SCRIPT } from './redis-scripts.js';
import { readStoredItems } from './stored-items.js';
import { toolCallKeysOf } from './tool-call-key.js';
import { DEFAULT_TURN_CACHE_BYTES, TurnCache, type TurnContent } from './turn-cache.js';
import {
  type ChainLookup,
  DEFAULT_SWEEP_INTERVAL_MS,
  type RecoveredReasoning,
  type ResponseStore,
  reasoningItemsOf,
  type StoredTurn,
  type StoreLimits,
  type StoreStats,
  StoreUnavailableError,
  warnBackgroundError,
} from './types.js';

export interface RedisStoreOptions extends StoreLimits {
  /** `redis://[user:pass@]host:port/db` or `rediss://…` (TLS). */
  url: string;
  /** Prepended to every key, so one Redis can serve several deployments. */
  prefix: string;
  /** How long open() waits for the first connection before starting without it. */
  connectWaitMs?: number;
  /** Told about conditions worth a warning (Redis down, back, settings it refused). */
  onWarning?: (message: string, error?: unknown) => void;
}

export const DEFAULT_REDIS_PREFIX = 'responses-relay:';
/** Longest a command may take before it counts as Redis being unavailable. */
const COMMAND_TIMEOUT_MS = 5_000;
/** Turns removed per sweep script, so one batch never blocks Redis for long. */
const SWEEP_BATCH = 200;

/** A Redis holding a layout this relay does not know (written by a newer one). */
export class RedisSchemaError extends Error {
  constructor(location: string, found: string) {
    super(
      `Redis at ${location} holds session data written by a newer responses-relay (layout version ${found}; this version knows up to ${REDIS_SCHEMA_VERSION}); ` +
        'upgrade responses-relay or use another --store-prefix',
    );
    this.name = 'RedisSchemaError';
  }
}

interface ScriptCommands {
  relayChain(...args: string[]): Promise<unknown>;
  relayDelete(...args: string[]): Promise<number>;
  relaySweep(...args: string[]): Promise<[number, number]>;
}

/** The URL without its password, for messages and logs. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an invalid Redis URL)';
  }
}

export class RedisResponseStore implements ResponseStore {
  readonly kind = 'redis' as const;
  /** The URL without its password. */
  readonly location: string;
  private readonly client: Redis & ScriptCommands;
  /** Turns parsed before: a continuation fetches only the turns added since. */
  private readonly turnCache = new TurnCache(DEFAULT_TURN_CACHE_BYTES);
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly warn: (message: string, error?: unknown) => void;
  private readonly reportError: (error: unknown) => void;
  private readonly sweepTimer: NodeJS.Timeout;
  /** Whether the call index had entries at the last look (refreshed by each sweep and on connecting). */
  private holdsReasoning = false;
  /** Set when Redis holds a newer layout: every operation is refused with it. */
  private refusal: RedisSchemaError | undefined;
  private down = false;
  private closed = false;
  private maintenance: Promise<void> | undefined;
  /** The checks after the latest connection (see afterConnect). */
  private checked: Promise<void> | undefined;
  /** Whether open() has returned (a refusal found later is a warning, not a start-up error). */
  private started = false;

  /** Connects (waiting up to `connectWaitMs` for Redis) and checks the layout version; throws RedisSchemaError for a newer one. */
  static async open(options: RedisStoreOptions): Promise<RedisResponseStore> {
    // ioredis is loaded only here: a relay on SQLite or memory never loads its modules.
    const { Redis: RedisClient } = await import('ioredis');
    const store = new RedisResponseStore(options, RedisClient);
    const ready = await store.waitForConnection(options.connectWaitMs ?? 5_000);
    if (ready && store.refusal) {
      const refusal = store.refusal;
      await store.close();
      throw refusal;
    }
    if (!ready)
      store.warn(`Redis at ${store.location} is not reachable yet; requests that need the store get 503 until it is`);
    store.started = true;
    return store;
  }

  private constructor(options: RedisStoreOptions, RedisClient: typeof Redis) {
    this.location = describeRedisUrl(options.url);
    this.prefix = options.prefix;
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs;
    this.maxBytes = options.maxBytes;
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message));
    this.reportError = options.onBackgroundError ?? warnBackgroundError;
    const clientOptions: RedisOptions = {
      lazyConnect: true,
      // Fail at once while disconnected instead of queueing: the caller answers 503.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
      // Reconnect forever, backing off to one attempt every 2 s.
      retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000),
    };
    this.client = new RedisClient(options.url, clientOptions) as Redis & ScriptCommands;
    this.client.defineCommand('relayChain', { numberOfKeys: 0, lua: CHAIN_SCRIPT });
    this.client.defineCommand('relayDelete', { numberOfKeys: 0, lua: DELETE_SCRIPT });
    this.client.defineCommand('relaySweep', { numberOfKeys: 0, lua: SWEEP_SCRIPT });
    // One warning per outage: the connection closing, or a first connection that fails.
    const wentDown = (error?: Error) => {
      if (this.down || this.closed) return;
      this.down = true;
      this.warn(
        `Redis at ${this.location} is unreachable${error ? ` (${error.message})` : ''}; reconnecting with backoff`,
        error,
      );
    };
    this.client.on('error', wentDown);
    this.client.on('close', () => wentDown());
    this.client.on('ready', () => {
      if (this.down) this.warn(`Redis at ${this.location} is reachable again`);
      this.down = false;
      this.checked = this.afterConnect().catch(this.reportError);
    });
    this.client.connect().catch(() => undefined); // failures arrive as 'error' events; retried with backoff
    this.sweepTimer = setInterval(
      () => this.sweep().catch(this.reportError),
      options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    );
    this.sweepTimer.unref();
  }

  async save(turn: StoredTurn): Promise<void> {
    const callKeys = reasoningItemsOf(turn.output).length > 0 ? toolCallKeysOf(turn.output) : [];
    const input = JSON.stringify(turn.input);
    const output = JSON.stringify(turn.output);
    const response = JSON.stringify(turn.response);
    const bytes = Buffer.byteLength(input) + Buffer.byteLength(output) + Buffer.byteLength(response);
    const used = this.now();
    const key = this.turnKey(turn.id);
    await this.run(async () => {
      const transaction = this.client
        .multi()
        .hset(key, {
          v: REDIS_SCHEMA_VERSION,
          parent: turn.previousResponseId ?? '',
          created: turn.createdAt,
          used,
          input,
          output,
          response,
          calls: JSON.stringify(callKeys),
        })
        .pexpire(key, this.ttlMs)
        .zadd(`${this.prefix}used`, used, turn.id)
        .hset(`${this.prefix}sizes`, turn.id, bytes)
        .incrby(`${this.prefix}bytes`, bytes);
      for (const callKey of callKeys) transaction.hset(`${this.prefix}calls`, callKey, turn.id);
      const results = await transaction.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error('the Redis transaction was discarded');
    });
    if (callKeys.length > 0) this.holdsReasoning = true;
  }

  async get(id: string): Promise<StoredTurn | undefined> {
    const fields = await this.run(() =>
      this.client.hmget(this.turnKey(id), 'parent', 'created', 'used', 'input', 'output', 'response'),
    );
    const [parent, created, used, input, output, response] = fields;
    if (input == null || output == null || response == null || Number(used) < this.cutoff()) return undefined;
    return {
      id,
      previousResponseId: parent ? parent : null,
      input: readStoredItems(input, id, 'input'),
      output: readStoredItems(output, id, 'output'),
      response: JSON.parse(response),
      createdAt: Number(created),
    };
  }

  async chain(id: string): Promise<ChainLookup> {
    const reply = (await this.run(() =>
      this.client.relayChain(
        this.prefix,
        id,
        String(this.cutoff()),
        String(this.now()),
        String(this.ttlMs),
        String(MAX_CHAIN_TURNS),
      ),
    )) as [string, string?, string[]?];
    const [status, missingId, newestFirst = []] = reply;
    if (status === 'missing') return { status: 'missing' };
    const ids = [...newestFirst].reverse();
    const contents = await this.turnContents(ids);
    // A turn deleted between the walk and the fetch breaks the chain there.
    const gone = contents.lastIndexOf(undefined);
    const turns = contents.slice(gone + 1).map((content) => ({
      id: content!.id,
      input: content!.input as InputItem[],
      output: content!.output as InputItem[],
    }));
    if (gone >= 0) return { status: 'broken', missingId: ids[gone]!, turns };
    if (status === 'broken') return { status: 'broken', missingId: missingId!, turns };
    return { status: 'found', turns };
  }

  /** The items of each turn, from the cache or fetched in one pipeline for all the others; undefined for a turn that is gone. */
  private async turnContents(ids: readonly string[]): Promise<Array<TurnContent | undefined>> {
    const contents = ids.map((id) => this.turnCache.get(id));
    const missing = ids.filter((_, index) => contents[index] === undefined);
    if (missing.length === 0) return contents;
    const rows = await this.turnFields(missing, 'input', 'output');
    const fetched = new Map<string, TurnContent>();
    missing.forEach((id, index) => {
      const [input, output] = rows[index]!;
      if (input != null && output != null) fetched.set(id, this.turnCache.parse(id, id, input, output));
    });
    return ids.map((id, index) => contents[index] ?? fetched.get(id));
  }

  /** The given fields of several turns, in one pipeline; null where a turn (or field) is gone. */
  private async turnFields(ids: readonly string[], ...fields: string[]): Promise<Array<Array<string | null>>> {
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hmget(this.turnKey(id), ...fields);
    const results = await this.run(() => pipeline.exec());
    return ids.map((_, index) => {
      const [error, values] = results?.[index] ?? [new Error('no reply from Redis')];
      if (error) throw error;
      return values as Array<string | null>;
    });
  }

  async delete(id: string): Promise<boolean> {
    this.turnCache.delete(id);
    return (await this.run(() => this.client.relayDelete(this.prefix, id))) === 1;
  }

  async reasoningForCalls(callKeys: readonly string[]): Promise<Map<string, RecoveredReasoning>> {
    const found = new Map<string, RecoveredReasoning>();
    if (callKeys.length === 0) return found;
    const responseIds = await this.run(() => this.client.hmget(`${this.prefix}calls`, ...callKeys));
    const unique = [...new Set(responseIds.filter((id): id is string => id !== null))];
    if (unique.length === 0) return found;
    const rows = await this.turnFields(unique, 'used', 'output');
    const recovered = new Map<string, RecoveredReasoning>();
    unique.forEach((id, index) => {
      const [used, output] = rows[index]!;
      if (output == null || Number(used) < this.cutoff()) return;
      recovered.set(id, { responseId: id, items: reasoningItemsOf(readStoredItems(output, id, 'output')) });
    });
    callKeys.forEach((key, index) => {
      const turn = responseIds[index] == null ? undefined : recovered.get(responseIds[index]!);
      if (turn) found.set(key, turn);
    });
    return found;
  }

  mayHoldReasoning(): boolean {
    return this.holdsReasoning;
  }

  async stats(): Promise<StoreStats> {
    const [turns, bytes] = await this.run(() =>
      Promise.all([this.client.zcard(`${this.prefix}used`), this.client.get(`${this.prefix}bytes`)]),
    );
    return { turns, bytes: Number(bytes ?? 0) };
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error(`the session store at ${this.location} is closed`);
    await this.run(() => this.client.ping());
  }

  /**
   * Runs commands for another part kept in this Redis (the usage ledger): on
   * this connection, under this prefix, failing the same way as the store's own.
   */
  runCommands<Result>(operation: (client: Redis, prefix: string) => Promise<Result>): Promise<Result> {
    return this.run(() => operation(this.client, this.prefix));
  }

  /** Removes turns unused for the TTL, with their index entries (also those Redis already expired or evicted). */
  sweep(): Promise<void> {
    this.maintenance ??= this.runSweep().finally(() => {
      this.maintenance = undefined;
    });
    return this.maintenance;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    await this.maintenance?.catch(() => undefined);
    this.turnCache.clear();
    this.client.disconnect();
  }

  private async runSweep(): Promise<void> {
    if (this.closed || this.client.status !== 'ready') return;
    for (;;) {
      const [removed, callEntries] = await this.run(() =>
        this.client.relaySweep(this.prefix, String(this.cutoff()), String(SWEEP_BATCH)),
      );
      this.holdsReasoning = callEntries > 0;
      if (removed < SWEEP_BATCH || this.closed) return;
    }
  }

  /** On every (re)connection: check the layout version, apply the size cap, learn whether reasoning is stored. */
  private async afterConnect(): Promise<void> {
    const schemaKey = `${this.prefix}schema`;
    await this.client.set(schemaKey, String(REDIS_SCHEMA_VERSION), 'NX');
    const found = (await this.client.get(schemaKey)) ?? String(REDIS_SCHEMA_VERSION);
    this.refusal = Number(found) > REDIS_SCHEMA_VERSION ? new RedisSchemaError(this.location, found) : undefined;
    if (this.refusal) {
      if (this.started) this.warn(this.refusal.message);
      return;
    }
    this.holdsReasoning = (await this.client.hlen(`${this.prefix}calls`)) > 0;
    if (this.maxBytes > 0) await this.applyMemoryCap();
  }

  /** `--store-max-mb`: Redis's maxmemory, evicting the least recently used keys that have a TTL (every turn has one). */
  private async applyMemoryCap(): Promise<void> {
    try {
      await this.client.config('SET', 'maxmemory', String(this.maxBytes));
      const [, policy] = (await this.client.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy === 'noeviction') await this.client.config('SET', 'maxmemory-policy', 'volatile-lru');
    } catch (error) {
      this.warn(
        `Redis at ${this.location} refused CONFIG SET (${(error as Error).message}); set maxmemory and maxmemory-policy volatile-lru in its configuration for --store-max-mb to apply`,
        error,
      );
    }
  }

  /** Resolves true once connected and checked, false after `waitMs` without a connection. */
  private async waitForConnection(waitMs: number): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (this.checked) {
        await this.checked;
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  }

  /** Runs Redis commands; failures to reach Redis become StoreUnavailableError, a newer layout is refused. */
  private async run<Result>(operation: () => Promise<Result>): Promise<Result> {
    if (this.refusal) throw this.refusal;
    if (this.client.status !== 'ready') {
      throw new StoreUnavailableError(
        `Redis at ${this.location} is unreachable (connection ${this.client.status}); retrying in the background`,
      );
    }
    try {
      return await operation();
    } catch (error) {
      // An error reply (a script error, OOM under `noeviction`) is Redis answering, not Redis being down.
      if ((error as Error).name === 'ReplyError') throw error;
      throw new StoreUnavailableError(`Redis at ${this.location} is unreachable (${(error as Error).message})`, {
        cause: error,
      });
    }
  }

  private turnKey(id: string): string {
    return `${this.prefix}turn:${id}`;
  }

  private cutoff(): number {
    return this.now() - this.ttlMs;
  }
}
