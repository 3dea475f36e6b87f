/**
 * Parsed turns kept in memory by their row number (SQLite) or response id
 * (Redis). A stored turn never changes and neither key is ever reused, so a
 * cached turn is valid for as long as the turn exists — which the chain
 * lookup checks on every rebuild.
 * Continuing a conversation then parses only the turns added since the last
 * rebuild instead of the whole history.
 *
 * Cached items are frozen: they are shared by every request that rebuilds
 * the conversation, and a change would otherwise leak into the next one.
 */
import { LRUCache } from 'lru-cache';
import type { InputItem } from '../translate/request/responses-schema.js';
import { readStoredItems } from './stored-items.js';

export interface TurnContent {
  id: string;
  input: readonly InputItem[];
  output: readonly InputItem[];
}

/** JSON bytes of parsed turns a store keeps by default. */
export const DEFAULT_TURN_CACHE_BYTES = 16 * 1024 * 1024;

/** A turn's row number or response id. */
export type TurnKey = number | string;

export class TurnCache {
  private readonly cache: LRUCache<TurnKey, TurnContent> | undefined;

  /** `maxBytes` of JSON text held; 0 turns the cache off. */
  constructor(maxBytes: number) {
    this.cache = maxBytes > 0 ? new LRUCache<TurnKey, TurnContent>({ maxSize: maxBytes }) : undefined;
  }

  get(seq: TurnKey): TurnContent | undefined {
    return this.cache?.get(seq);
  }

  /** Parses and checks (and keeps) a turn's JSON; throws StoredRecordError when it is not items. */
  parse(seq: TurnKey, id: string, input: string, output: string): TurnContent {
    const content: TurnContent = {
      id,
      input: deepFreeze(readStoredItems(input, id, 'input')),
      output: deepFreeze(readStoredItems(output, id, 'output')),
    };
    this.cache?.set(seq, content, { size: input.length + output.length });
    return content;
  }

  delete(seq: TurnKey): void {
    this.cache?.delete(seq);
  }

  clear(): void {
    this.cache?.clear();
  }
}

function deepFreeze<Value>(value: Value): Value {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
