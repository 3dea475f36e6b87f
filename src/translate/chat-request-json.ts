/**
 * The JSON body of a Chat request, with the messages a WebSocket chain keeps
 * between turns serialised and UTF-8 encoded once. A long conversation's
 * upstream body is mostly those messages; serialising and encoding them again
 * every turn (about 7 ms at 800 tool rounds) would make each turn cost more
 * than the last. The bytes are always those of `JSON.stringify(body)`.
 *
 * The kept messages of one translation are a `KeptMessages` run: an
 * append-only list whose bytes are kept joined, so a body that carries the run
 * (as the request is built, in order) takes them as one slice, and a turn
 * encodes only the messages new to the run. For a provider whose hooks change
 * messages in place, the request carries copies instead (`copyKeptMessage`),
 * and a copy's bytes are its kept message's as long as its own fields are
 * still the kept message's; any other message is serialised as usual.
 */
import type { ChatMessage, ChatRequest } from './chat-types.js';
import { utf8Bytes } from './utf8-bytes.js';

/**
 * On a copy, the kept message it was made from. A symbol key: JSON and
 * Object.keys leave it out, and it is cheaper than a WeakMap entry per
 * message per turn.
 */
const KEPT = Symbol('kept message');
type Copy = ChatMessage & { [KEPT]?: ChatMessage };
/** Kept message → its run and its place in it (kept messages never change). */
const placeOfKept = new WeakMap<ChatMessage, { run: KeptMessages; index: number }>();

const MESSAGES_KEY = '"messages":[';
const COMMA = Buffer.from(',');
const COMMA_BYTE = 0x2c;

/** The messages a translation keeps, in order, and their JSON text joined by commas. */
export class KeptMessages {
  private readonly messages: readonly ChatMessage[];
  private registered = 0;
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  /** Where each encoded message's text starts and ends in `bytes`. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** `messages` is only ever appended to, and its messages never change. */
  constructor(messages: readonly ChatMessage[]) {
    this.messages = messages;
  }

  /** Marks the messages appended since the last call as kept. */
  update(): void {
    for (; this.registered < this.messages.length; this.registered++)
      placeOfKept.set(this.messages[this.registered]!, { run: this, index: this.registered });
  }

  /** How many messages from `start` the body's messages from `at` carry, in order. */
  carried(body: readonly ChatMessage[], at: number, start: number): number {
    let count = 0;
    while (
      at + count < body.length &&
      start + count < this.registered &&
      body[at + count] === this.messages[start + count]
    )
      count++;
    return count;
  }

  /** The text of messages `start` to `end` (excluded), joined by commas; encodes those not encoded yet. */
  slice(start: number, end: number): Buffer {
    while (this.ends.length < end) this.encode(this.messages[this.ends.length]!);
    return this.bytes.subarray(this.starts[start], this.ends[end - 1]);
  }

  private encode(message: ChatMessage): void {
    const text = JSON.stringify(message);
    const separator = this.ends.length > 0 ? 1 : 0;
    const needed = this.length + separator + Buffer.byteLength(text);
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    if (separator) this.bytes[this.length++] = COMMA_BYTE;
    this.starts.push(this.length);
    this.length += this.bytes.write(text, this.length);
    this.ends.push(this.length);
  }
}

/** A copy of a kept message, for a provider whose hooks change messages; its text is reused while its fields are unchanged. */
export function copyKeptMessage(message: ChatMessage): ChatMessage {
  const copy: Copy = { ...message };
  Object.defineProperty(copy, KEPT, { value: message });
  return copy;
}

function keptOf(message: ChatMessage): ChatMessage | undefined {
  const kept = (message as Copy)[KEPT];
  return kept !== undefined && placeOfKept.has(kept) ? kept : undefined;
}

/** `JSON.stringify(body)` (as a string, or as its bytes when kept messages are reused). */
export function chatRequestJson(body: ChatRequest): string | Buffer {
  const json = chatRequestParts(body);
  return typeof json === 'string' ? json : Buffer.concat(json);
}

/**
 * The bytes of `JSON.stringify(body)`: one buffer, or the parts of one (see
 * `chatRequestParts`). The upstream client holds the body it sends until the
 * response ends; as bytes it lives outside the JavaScript heap, which the
 * garbage collector would otherwise copy for the whole stream (and as a string
 * it takes two bytes a character once one is not Latin-1).
 */
export function chatRequestBytes(body: ChatRequest): Buffer | Buffer[] {
  const json = chatRequestParts(body);
  return typeof json === 'string' ? utf8Bytes(json) : json;
}

/**
 * `JSON.stringify(body)`, as a string or, when kept messages are reused, as
 * the parts of its bytes in order: sent as they are, the kept run is not
 * copied into a new buffer every turn.
 */
export function chatRequestParts(body: ChatRequest): string | Buffer[] {
  const { messages } = body;
  if (!messages.some((message) => placeOfKept.has(message) || keptOf(message) !== undefined))
    return JSON.stringify(body);
  // Only the messages are left out: every other field keeps its place. A key cannot occur unescaped inside a string.
  const shell = JSON.stringify({ ...body, messages: [] });
  const at = shell.indexOf(MESSAGES_KEY) + MESSAGES_KEY.length;
  const parts: Buffer[] = [Buffer.from(shell.slice(0, at))];
  let index = 0;
  while (index < messages.length) {
    if (index > 0) parts.push(COMMA);
    const message = messages[index]!;
    const place = placeOfKept.get(message);
    if (place !== undefined) {
      const count = place.run.carried(messages, index, place.index);
      parts.push(place.run.slice(place.index, place.index + count));
      index += count;
    } else {
      parts.push(copyBytes(message));
      index++;
    }
  }
  parts.push(Buffer.from(shell.slice(at)));
  return parts;
}

function copyBytes(message: ChatMessage): Buffer {
  const kept = keptOf(message);
  if (kept === undefined || !sameFields(message, kept)) return Buffer.from(JSON.stringify(message));
  const { run, index } = placeOfKept.get(kept)!;
  return run.slice(index, index + 1);
}

/** The same own fields, in the same order, with the same values (a hook may have set, replaced or deleted one). */
function sameFields(copy: object, kept: object): boolean {
  const copyKeys = Object.keys(copy);
  const keptKeys = Object.keys(kept);
  if (copyKeys.length !== keptKeys.length) return false;
  for (let index = 0; index < copyKeys.length; index++) {
    const key = copyKeys[index]!;
    if (key !== keptKeys[index] || (copy as Record<string, unknown>)[key] !== (kept as Record<string, unknown>)[key])
      return false;
  }
  return true;
}
