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
 * review requests share the session id): the body's bytes and where its last
 * item ends; and, once the conversation has gone on (a request whose bytes
 * start with a kept one's up to that point), also the parsed values before
 * `input`, the items as validated and the translation of the turn. Those
 * objects are about twice the body on the heap, and a request no turn goes on
 * from (the first the relay sees of a conversation, a one-off request) would
 * only make work for the collector. A request that starts with a kept
 * request's bytes, objects and all, has only its tail parsed, as
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

/** A kept request of a conversation: its bytes, and what it was read into once the conversation went on. */
interface KeptRequest {
  bytes: Buffer;
  /** The offset just after its last `input` item. */
  inputEnd: number;
  itemCount: number;
  /** Absent for a request that continued nothing: its next turn is read whole, and kept with these. */
  read?: KeptReading;
}

/** What a kept request was read into, for the turn that continues it. */
interface KeptReading {
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
  /**
   * Readings of the kept request's items, and this request's; absent when none are reused or kept (a request that
   * names no conversation, or the first request of one, which is kept as bytes only).
   */
  readings?: ItemReadings;
  /** The translation of the kept request it continues, to extend. */
  earlier?: InputTranslation | undefined;
  /** Items taken from the kept request (0 when parsed whole). */
  reusedItems: number;
  /** Read whole, but its bytes start with a kept request's (kept with its objects this time). */
  extendsKept?: boolean;
  /** Keeps this request for the conversation's next turn, with its input's translation. */
  keep(translation: InputTranslation | undefined): void;
}

const DEFAULT_PER_CONVERSATION = 4;
/**
 * Counted for each request kept with its objects besides its body: its
 * translation's buffer of message text starts at 64 KiB, so many small
 * conversations cannot hold more than the bound says.
 */
export const KEPT_REQUEST_OVERHEAD = 64 * 1024;

function weight(request: KeptRequest): number {
  return request.bytes.length + (request.read === undefined ? 0 : KEPT_REQUEST_OVERHEAD);
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
    let extended: KeptRequest | undefined;
    for (const kept of this.conversations.get(key) ?? []) {
      if (bytes.length <= kept.inputEnd || bytes.compare(kept.bytes, 0, kept.inputEnd, 0, kept.inputEnd) !== 0)
        continue;
      extended ??= kept;
      const continued = kept.read && this.continueRequest(key, kept, kept.read, bytes);
      if (continued !== undefined) return continued;
    }
    this.counters.whole++;
    const body = parseJsonBytes(bytes);
    // Nothing it goes on from: only its bytes are kept, to tell whether the next turn goes on from it.
    if (extended === undefined)
      return { body, reusedItems: 0, keep: () => this.defer(() => this.keepScanned(key, bytes, body)) };
    const readings: ItemReadings = { earlierItems: [], earlierReadings: [], readings: [] };
    return {
      body,
      readings,
      reusedItems: 0,
      extendsKept: true,
      keep: (translation) =>
        this.defer(() => this.keepScanned(key, bytes, body, { extended, readings: readings.readings, translation })),
    };
  }

  /** The request `kept` goes on with in `bytes` (whose first `kept.inputEnd` bytes are its own), or undefined. */
  private continueRequest(key: string, kept: KeptRequest, read: KeptReading, bytes: Buffer): ReadRequest | undefined {
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
    for (const [name, value] of read.before) body[name] = value;
    const items = added.length === 0 ? read.items : [...read.items, ...added];
    body.input = items;
    for (const name of Object.keys(parsed)) {
      if (name === this.sentinel) continue;
      // JSON.parse keeps a repeated key's last value: the whole body would not say what the kept values say.
      if (name === 'input' || name === '__proto__' || read.before.some(([before]) => before === name)) return undefined;
      body[name] = parsed[name];
    }
    this.counters.continued++;
    this.counters.reusedItems += read.items.length;
    const readings: ItemReadings = { earlierItems: read.items, earlierReadings: read.readings, readings: [] };
    return {
      body,
      readings,
      earlier: read.translation,
      reusedItems: read.items.length,
      keep: (translation) =>
        this.store(key, kept, {
          ...bounds,
          bytes,
          read: { before: read.before, items: items as unknown[], readings: readings.readings, translation },
        }),
    };
  }

  /**
   * Keeps a body parsed whole, once its items' end is found: with its
   * objects when it goes on from a kept request (`extended`), in place of it
   * if that one was kept as bytes only; else as bytes only.
   */
  private keepScanned(
    key: string,
    bytes: Buffer,
    body: unknown,
    objects?: Pick<KeptReading, 'readings' | 'translation'> & { extended: KeptRequest },
  ): void {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    const bounds = findInputBounds(bytes);
    if (bounds === undefined || bounds.keysBefore.includes('__proto__')) return;
    const values = body as Record<string, unknown>;
    const items = values.input;
    if (!Array.isArray(items) || items.length !== bounds.itemCount) return;
    const { inputEnd, itemCount } = bounds;
    if (objects === undefined) return this.store(key, undefined, { inputEnd, itemCount, bytes });
    const { extended, readings, translation } = objects;
    const before = bounds.keysBefore.map((name) => [name, values[name]] as const);
    const replaced = extended.read === undefined ? extended : undefined;
    this.store(key, replaced, { inputEnd, itemCount, bytes, read: { before, items, readings, translation } });
  }

  /** Adds a request to its conversation in place of the one it continued; drops the oldest past the bounds. */
  private store(key: string, replaced: KeptRequest | undefined, kept: KeptRequest): void {
    if (weight(kept) > this.maxBytes) return;
    const { read } = kept;
    // Every item read (the turn was not cut short by an error).
    if (read !== undefined && read.readings.length !== read.items.length) return;
    const request: KeptRequest = read === undefined ? kept : { ...kept, read: { ...read, items: validated(read) } };
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

/** The validated items, not the parsed ones as well: half the objects for the collector to trace. */
function validated(read: KeptReading): unknown[] {
  return read.items.map((raw, index) => {
    const reading = read.readings[index]!;
    return 'item' in reading ? reading.item : raw;
  });
}
