/**
 * The session store: one interface for every backend, so the routes never
 * know where responses are kept. Methods are async so a networked backend
 * (several relays behind a load balancer) fits the same shape.
 *
 * A conversation is stored as a chain of turns: each turn keeps its parent's
 * id, the input items its request added and its output items, so storage
 * grows linearly with the conversation and a continuation walks the chain.
 */

import type { InputItem } from '../translate/request/responses-schema.js';

export type StoreKind = 'memory' | 'sqlite' | 'redis';

/** One stored response. */
export interface StoredTurn {
  /** The response id (`resp_…`). */
  id: string;
  /** The response this one continued; null for the first turn of a conversation. */
  previousResponseId: string | null;
  /** The input items this request added (never the rebuilt history). */
  input: InputItem[];
  /** The output items, reasoning included. */
  output: InputItem[];
  /** The Response object; its `output` is kept once, in `output` above. */
  response: Record<string, unknown>;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** The part of a turn needed to rebuild a conversation. */
export type ChainTurn = Pick<StoredTurn, 'id' | 'input' | 'output'>;

/** The result of walking a chain back to its first turn. */
export type ChainLookup =
  | { status: 'found' /** Oldest first; the last one is the turn asked for. */; turns: ChainTurn[] }
  | { status: 'missing' }
  | {
      status: 'broken';
      /** The ancestor that is gone (deleted, expired or evicted). */
      missingId: string;
      /** The turns after the gap, oldest first. */
      turns: ChainTurn[];
    };

/** Reasoning a stored response produced next to a tool call. */
export interface RecoveredReasoning {
  responseId: string;
  /** The response's reasoning items, in output order. */
  items: InputItem[];
}

export interface StoreStats {
  turns: number;
  /** Bytes of stored JSON (what `--store-max-mb` limits). */
  bytes: number;
}

/** Where stored responses live. */
export interface ResponseStore {
  readonly kind: StoreKind;
  /** Stores one turn; resolves once it is durable for this backend. */
  save(turn: StoredTurn): Promise<void>;
  /** One stored turn, or undefined when it does not exist (or expired). */
  get(id: string): Promise<StoredTurn | undefined>;
  /** Walks from `id` back to the first turn of its conversation; refreshes the conversation's expiry. */
  chain(id: string): Promise<ChainLookup>;
  /** Deletes one turn; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /**
   * For each tool-call key (tool-call-key.ts) of a call a stored response made
   * alongside reasoning, that response's reasoning; the latest response wins.
   */
  reasoningForCalls(callKeys: readonly string[]): Promise<Map<string, RecoveredReasoning>>;
  /**
   * False when the store holds no reasoning next to tool calls, so a request
   * need not compute call keys at all (Codex sends store: false, so this is its
   * common case). A backend that cannot tell cheaply answers true.
   */
  mayHoldReasoning(): boolean;
  stats(): Promise<StoreStats>;
  /** Throws when the store cannot serve requests (closed, database unreadable); cheap enough for a readiness probe. */
  ping(): Promise<void>;
  /** Removes expired turns (and, over the size cap, the oldest) now; also runs on a timer. */
  sweep(): Promise<void>;
  /** Stops background work and releases the backend. Idempotent. */
  close(): Promise<void>;
}

/** Limits shared by the backends. */
export interface StoreLimits {
  /** A conversation neither continued nor extended for this long is removed. */
  ttlMs: number;
  /** Memory budget (memory) or size cap (sqlite) in bytes of stored JSON, oldest removed first; for Redis its `maxmemory` (0: left as configured). */
  maxBytes: number;
  /** Milliseconds since the epoch (tests pass a fake clock). */
  now?: () => number;
  /** How often expired entries are swept, in milliseconds. */
  sweepIntervalMs?: number;
  /** Told about failures of background sweeps (default: a process warning). */
  onBackgroundError?: (error: unknown) => void;
}

export const DEFAULT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
/** Default `--store-max-mb` per backend (Redis keeps its own `maxmemory` unless the flag is given). */
export const DEFAULT_MAX_MB: Record<Exclude<StoreKind, 'redis'>, number> = { memory: 256, sqlite: 1024 };

/**
 * The store cannot be reached right now (a networked backend is down or
 * restarting); requests that need it get a 503 with Retry-After.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Reasoning items of an output list, in order. */
export function reasoningItemsOf(output: readonly InputItem[]): InputItem[] {
  return output.filter((item) => item.type === 'reasoning');
}

/** The default report of a failed background sweep. */
export function warnBackgroundError(error: unknown): void {
  process.emitWarning(`session store sweep failed: ${error instanceof Error ? error.message : String(error)}`);
}
