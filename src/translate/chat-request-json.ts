/**
 * The JSON body of a Chat request, with the messages a WebSocket chain keeps
 * between turns serialised and UTF-8 encoded once. A long conversation's
 * upstream body is mostly those messages; serialising and encoding them again
 * every turn (about 7 ms at 800 tool rounds) would make each turn cost more
 * than the last. A kept message leaves as a copy (provider hooks may change
 * the copy), and the copy's bytes are the kept message's as long as its own
 * fields are still the kept message's; any other message is serialised as
 * usual. The bytes are always those of `JSON.stringify(body)`.
 */
import type { ChatMessage, ChatRequest } from './chat-types.js';

/**
 * On a copy, the kept message it was made from. A symbol key: JSON and
 * Object.keys leave it out, and it is cheaper than a WeakMap entry per
 * message per turn.
 */
const KEPT = Symbol('kept message');
type Copy = ChatMessage & { [KEPT]?: ChatMessage };
/** Kept message → its JSON text, UTF-8 encoded (kept messages never change). */
const bytesOfKept = new WeakMap<ChatMessage, Buffer>();

const MESSAGES_KEY = '"messages":[';
const COMMA = Buffer.from(',');

/** A copy of a kept message, for a request; its text can be reused while its fields are unchanged. */
export function copyKeptMessage(message: ChatMessage): ChatMessage {
  const copy: Copy = { ...message };
  Object.defineProperty(copy, KEPT, { value: message });
  return copy;
}

/** `JSON.stringify(body)` (as a string, or as its bytes when kept messages are reused). */
export function chatRequestJson(body: ChatRequest): string | Buffer {
  if (!body.messages.some((message) => (message as Copy)[KEPT] !== undefined)) return JSON.stringify(body);
  // Only the messages are left out: every other field keeps its place. A key cannot occur unescaped inside a string.
  const shell = JSON.stringify({ ...body, messages: [] });
  const at = shell.indexOf(MESSAGES_KEY) + MESSAGES_KEY.length;
  const parts: Buffer[] = [Buffer.from(shell.slice(0, at))];
  body.messages.forEach((message, index) => {
    if (index > 0) parts.push(COMMA);
    parts.push(messageBytes(message));
  });
  parts.push(Buffer.from(shell.slice(at)));
  return Buffer.concat(parts);
}

function messageBytes(message: ChatMessage): Buffer {
  const kept = (message as Copy)[KEPT];
  if (kept === undefined || !sameFields(message, kept)) return Buffer.from(JSON.stringify(message));
  let bytes = bytesOfKept.get(kept);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(kept));
    bytesOfKept.set(kept, bytes);
  }
  return bytes;
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
