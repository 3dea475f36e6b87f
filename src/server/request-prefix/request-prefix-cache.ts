/**
 * Recent HTTP conversations, so a turn that resends one with new items at the
 * end reads, validates and translates only those items. Codex over HTTP sends
 * the whole history every turn (`store: false`, no `previous_response_id`),
 * serialised the same way each time: the bytes up to the end of the last
 * turn's last `input` item come again, byte for byte, and the new items
 * follow.
 *
 * A conversation is named by the caller's `session-id` (else `thread-id`)
 * header and the credential it was let in with, so no caller ever continues
 * another's. For each, a few recent requests are kept (Codex's compaction and
 * review requests share the session id): the body's bytes, where its last
 * item ends, the parsed values before `input`, the items as validated and
 * the translation of the turn. A request whose bytes start with a kept
 * request's bytes up to that point has only its tail parsed, as
 * `{"<sentinel>":[` + the tail, which is valid JSON exactly when the whole
 * body is; its body is then the kept values, the kept items (the same
 * objects, so their validation and translation are reused: the same bytes
 * read the same) and the tail's.
 * Anything unusual — a tail that sets a key written before `input` again,
 * a tail that does not parse (its error message must be the whole body's),
 * a prefix that differs (compaction, an edited conversation) — and the body
 * is parsed whole, as without this cache. Bounded by the bytes of the bodies
 * kept; the oldest conversation goes first.
 */
import { randomBytes } from 'node:crypto';
import type { InputTranslation } from '../../translate/request/incremental-input.js';
import type { ItemReading, ItemReadings } from '../../translate/request/parse-request.js';
import { parseJsonBytes } from '../read-json-body.js';
import { continueInputBounds, findInputBounds } from './input-bounds.js';

/** A kept request of a conversation. */
interface KeptRequest {
  bytes: Buffer;
  /** The offset just after its last `input` item. */
  inputEnd: number;
  itemCount: number;
  /** The parsed top-level values written before `input`, in order. */
  before: ReadonlyArray<readonly [string, unknown]>;
  /**
   * Its `input` items as read: the validated item, or the raw one where it
   * was skipped. A continuation's body carries these in place of its first
   * items, whose bytes are the same: only the new ones are read.
   */
  items: readonly unknown[];
  readings: readonly ItemReading[];
  translation: InputTranslation | undefined;
}

export interface RequestPrefixCacheOptions {
  /** Bytes of request bodies kept in all (0 keeps none). */
  maxBytes: number;
  /** Requests kept per conversation (default 4). */
  perConversation?: number;
  /** Runs the scan of a body that continued nothing, after the turn has started (default: `afterUpstreamWrite`). */
  defer?: (task: () => void) => void;
}

/** How requests were read: continued from a kept one, or parsed whole. */
export interface PrefixCounters {
  continued: number;
  /** Items taken from kept requests instead of parsed again. */
  reusedItems: number;
  whole: number;
}

/** A request body read, and what it continues. */
export interface ReadRequest {
  body: unknown;
  /** Readings of the kept request's items, and this request's; absent for a request that names no conversation. */
  readings?: ItemReadings;
  /** The translation of the kept request it continues, to extend. */
  earlier?: InputTranslation | undefined;
  /** Items taken from the kept request (0 when parsed whole). */
  reusedItems: number;
  /** Keeps this request for the conversation's next turn, with its input's translation. */
  keep(translation: InputTranslation | undefined): void;
}

const DEFAULT_PER_CONVERSATION = 4;
/**
 * Counted for each kept request besides its body: its translation's buffer
 * of message text starts at 64 KiB, so many small conversations cannot hold
 * more than the bound says.
 */
export const KEPT_REQUEST_OVERHEAD = 64 * 1024;

function weight(request: KeptRequest): number {
  return request.bytes.length + KEPT_REQUEST_OVERHEAD;
}
/**
 * Runs `task` in the event loop's next check phase but one: undici writes a
 * request on a kept-alive connection in the check phase after it was
 * dispatched, so the scan comes after the upstream has the request.
 */
function afterUpstreamWrite(task: () => void): void {
  setImmediate(() => setImmediate(task));
}

/** The tail is decoded on its own: a byte order mark there is a character, as inside the whole body. */
const tailDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export class RequestPrefixCache {
  readonly counters: PrefixCounters = { continued: 0, reusedItems: 0, whole: 0 };
  /** Conversations, least recently used first; each list newest first. */
  private readonly conversations = new Map<string, KeptRequest[]>();
  private heldBytes = 0;
  private readonly maxBytes: number;
  private readonly perConversation: number;
  private readonly defer: (task: () => void) => void;
  /** The key of the tail's wrapper: random, so no request can name it. */
  private readonly sentinel = `\u0000prefix-${randomBytes(12).toString('hex')}`;

  constructor(options: RequestPrefixCacheOptions) {
    this.maxBytes = options.maxBytes;
    this.perConversation = options.perConversation ?? DEFAULT_PER_CONVERSATION;
    this.defer = options.defer ?? afterUpstreamWrite;
  }

  /** Bytes of the request bodies kept, each counted with `KEPT_REQUEST_OVERHEAD`. */
  get bytesHeld(): number {
    return this.heldBytes;
  }

  /**
   * Reads a body (a parse error is the 400 `parseJsonBytes` throws); with a
   * conversation `key`, continues the kept request it extends, if any.
   */
  read(bytes: Buffer, key: string | undefined): ReadRequest {
    if (key === undefined || this.maxBytes <= 0) {
      return { body: parseJsonBytes(bytes), reusedItems: 0, keep: () => undefined };
    }
    for (const kept of this.conversations.get(key) ?? []) {
      if (bytes.length <= kept.inputEnd || bytes.compare(kept.bytes, 0, kept.inputEnd, 0, kept.inputEnd) !== 0)
        continue;
      const continued = this.continueRequest(key, kept, bytes);
      if (continued !== undefined) return continued;
    }
    this.counters.whole++;
    const body = parseJsonBytes(bytes);
    const readings: ItemReadings = { earlierItems: [], earlierReadings: [], readings: [] };
    return {
      body,
      readings,
      reusedItems: 0,
      keep: (translation) => this.defer(() => this.keepScanned(key, bytes, body, readings.readings, translation)),
    };
  }

  /** The request `kept` goes on with in `bytes` (whose first `kept.inputEnd` bytes are its own), or undefined. */
  private continueRequest(key: string, kept: KeptRequest, bytes: Buffer): ReadRequest | undefined {
    let tail = tailDecoder.decode(bytes.subarray(kept.inputEnd));
    if (kept.itemCount > 0) {
      // After an item: the next one after a comma (not the end of the array: `[1,]` is no JSON), or the end.
      const next = tail.search(/[^ \t\n\r]/);
      if (tail[next] === ',') {
        tail = tail.slice(next + 1);
        if (tail[tail.search(/[^ \t\n\r]/)] === ']') return undefined;
      } else if (tail[next] !== ']') return undefined;
    }
    if (tail.includes(this.sentinel.slice(1))) return undefined;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(`{${JSON.stringify(this.sentinel)}:[${tail}`) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const added = parsed[this.sentinel];
    if (!Array.isArray(added)) return undefined;
    const bounds = continueInputBounds(bytes, kept.inputEnd, kept.itemCount);
    if (bounds === undefined || bounds.itemCount !== kept.itemCount + added.length) return undefined;
    const body: Record<string, unknown> = {};
    for (const [name, value] of kept.before) body[name] = value;
    const items = added.length === 0 ? kept.items : [...kept.items, ...added];
    body.input = items;
    for (const name of Object.keys(parsed)) {
      if (name === this.sentinel) continue;
      // JSON.parse keeps a repeated key's last value: the whole body would not say what the kept values say.
      if (name === 'input' || name === '__proto__' || kept.before.some(([before]) => before === name)) return undefined;
      body[name] = parsed[name];
    }
    this.counters.continued++;
    this.counters.reusedItems += kept.items.length;
    const readings: ItemReadings = { earlierItems: kept.items, earlierReadings: kept.readings, readings: [] };
    return {
      body,
      readings,
      earlier: kept.translation,
      reusedItems: kept.items.length,
      keep: (translation) =>
        this.store(key, kept, {
          ...bounds,
          bytes,
          before: kept.before,
          items: items as unknown[],
          readings: readings.readings,
          translation,
        }),
    };
  }

  /** Keeps a body parsed whole, once its items' end is found. */
  private keepScanned(
    key: string,
    bytes: Buffer,
    body: unknown,
    readings: readonly ItemReading[],
    translation: InputTranslation | undefined,
  ): void {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const bounds = findInputBounds(bytes);
    if (bounds === undefined || bounds.keysBefore.includes('__proto__')) return;
    const values = body as Record<string, unknown>;
    const items = values.input;
    if (!Array.isArray(items) || items.length !== bounds.itemCount) return;
    const before = bounds.keysBefore.map((name) => [name, values[name]] as const);
    const { inputEnd, itemCount } = bounds;
    this.store(key, undefined, { inputEnd, itemCount, bytes, before, items, readings, translation });
  }

  /** Adds a request to its conversation in place of the one it continued; drops the oldest past the bounds. */
  private store(key: string, replaced: KeptRequest | undefined, read: KeptRequest): void {
    // Every item read (the turn was not cut short by an error), and the body within the bounds.
    if (read.readings.length !== read.items.length || weight(read) > this.maxBytes) return;
    // The validated items are kept, not the parsed ones as well: half the objects for the collector to trace.
    const items = read.items.map((raw, index) => {
      const reading = read.readings[index]!;
      return 'item' in reading ? reading.item : raw;
    });
    const request: KeptRequest = { ...read, items };
    const list = (this.conversations.get(key) ?? []).filter((kept) => {
      if (kept !== replaced) return true;
      this.heldBytes -= weight(kept);
      return false;
    });
    list.unshift(request);
    this.heldBytes += weight(request);
    while (list.length > this.perConversation) this.heldBytes -= weight(list.pop()!);
    // Map order is use order: the conversation moves to the end.
    this.conversations.delete(key);
    this.conversations.set(key, list);
    while (this.heldBytes > this.maxBytes) this.dropOldest();
  }

  private dropOldest(): void {
    const [key, list] = this.conversations.entries().next().value as [string, KeptRequest[]];
    const oldest = list.pop()!;
    this.heldBytes -= weight(oldest);
    if (list.length === 0) this.conversations.delete(key);
  }
}
