/**
 * Upstream Chat chunks read from their bytes. Most providers send every delta
 * chunk in the same envelope (id, model, timestamp, index) around one new
 * string: the text, reasoning or argument fragment. When a payload's bytes are
 * the previous payload's bytes with only that string literal changed, and the
 * new bytes are one JSON string, JSON.parse would give the previous chunk with
 * that one string replaced — so that is what the reader builds, without
 * decoding the envelope to text or parsing it (a literal with nothing to
 * unescape is decoded directly; one with escapes is parsed on its own).
 * Anything else is parsed with JSON.parse.
 * A property test holds the reader to JSON.parse.
 */
import { isUtf8 } from 'node:buffer';

/** Where the fragment lies in a delta chunk, by the key that holds it. */
const FRAGMENT_KEYS = ['content', 'reasoning_content', 'reasoning', 'arguments'] as const;
type FragmentKey = (typeof FRAGMENT_KEYS)[number];
const QUOTED_KEYS = new Map(FRAGMENT_KEYS.map((key) => [key, Buffer.from(`"${key}":`)]));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Consecutive payloads the shortcut did not fit before it stops being tried for this stream. */
const MISSES_BEFORE_GIVING_UP = 8;

/** The last payload parsed in full, and where its fragment's literal lies in its bytes. */
interface Template {
  bytes: Buffer;
  /** The literal (quotes included) spans literalStart..literalEnd; the payload spans start..end. */
  start: number;
  literalStart: number;
  literalEnd: number;
  end: number;
  /** The object that holds the fragment, and its key. */
  holder: Record<string, unknown>;
  key: FragmentKey;
  /** A fresh copy of the parsed chunk with another fragment in place. */
  copy: Copier;
}

/** Makes a fresh copy of a template's chunk (JSON data) holding `fragment` as its fragment. */
type Copier = (fragment: string) => unknown;

/** Reads one stream's payloads: the envelope of the last full parse is remembered from one payload to the next. */
export class ChunkReader {
  private template: Template | undefined;
  private misses = 0;

  /**
   * The payload at bytes[start, end) as JSON.parse would read it, when it is a
   * JSON object or array; undefined when it is anything else (not JSON, a
   * string, a number, null), which the caller handles from the text.
   */
  read(bytes: Buffer, start: number, end: number): object | undefined {
    const template = this.template;
    if (template !== undefined) {
      const fragment = sameEnvelope(template, bytes, start, end);
      if (fragment !== undefined) {
        this.misses = 0;
        return template.copy(fragment) as object;
      }
      this.misses++;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8', start, end));
    } catch {
      return undefined;
    }
    if (parsed === null || typeof parsed !== 'object') return undefined;
    this.template =
      this.misses < MISSES_BEFORE_GIVING_UP
        ? findTemplate(parsed as Record<string, unknown>, bytes, start, end)
        : undefined;
    // The template keeps the parsed chunk; the caller gets a copy of its own.
    return this.template ? (this.template.copy(this.template.holder[this.template.key] as string) as object) : parsed;
  }
}

/** The fragment of a payload that is the template's bytes with only the fragment's literal changed, if it is one. */
function sameEnvelope(template: Template, bytes: Buffer, start: number, end: number): string | undefined {
  const prefixLength = template.literalStart - template.start;
  const suffixLength = template.end - template.literalEnd;
  const literalStart = start + prefixLength;
  const literalEnd = end - suffixLength;
  if (literalEnd - literalStart < 2) return undefined;
  if (bytes[literalStart] !== QUOTE || bytes[literalEnd - 1] !== QUOTE) return undefined;
  if (bytes.compare(template.bytes, template.start, template.literalStart, start, literalStart) !== 0) return undefined;
  if (!sameSuffix(template, bytes, literalEnd, suffixLength)) return undefined;
  let plain = true;
  let ascii = true;
  for (let index = literalStart + 1; index < literalEnd - 1; index++) {
    const byte = bytes[index]!;
    if (byte === QUOTE || byte === BACKSLASH || byte < 0x20) plain = false;
    else if (byte >= 0x80) ascii = false;
  }
  if (!plain) return escapedString(bytes, literalStart, literalEnd);
  if (!ascii && !isUtf8(bytes.subarray(literalStart + 1, literalEnd - 1))) return undefined;
  return bytes.toString(ascii ? 'latin1' : 'utf8', literalStart + 1, literalEnd - 1);
}

/** Suffixes at most this long are compared in a loop, which for a few bytes costs less than a call of Buffer.compare. */
const SHORT_SUFFIX = 48;

/** Whether the payload's bytes after its literal are the template's. */
function sameSuffix(template: Template, bytes: Buffer, literalEnd: number, length: number): boolean {
  if (length > SHORT_SUFFIX)
    return bytes.compare(template.bytes, template.literalEnd, template.end, literalEnd, literalEnd + length) === 0;
  const other = template.bytes;
  const otherStart = template.literalEnd;
  for (let index = 0; index < length; index++)
    if (bytes[literalEnd + index] !== other[otherStart + index]) return false;
  return true;
}

/**
 * A literal with escapes, read by JSON.parse on its own: it succeeds only
 * when the bytes are exactly one string, so the payload's other tokens are
 * the template's.
 */
function escapedString(bytes: Buffer, literalStart: number, literalEnd: number): string | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8', literalStart, literalEnd));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The template of a parsed delta chunk whose one choice's delta holds a
 * non-empty fragment written as JSON.stringify writes it, right after its
 * key. That the literal found there is the fragment's is proven by changing
 * only those bytes and parsing again: the delta must then hold the new value.
 */
function findTemplate(chunk: Record<string, unknown>, bytes: Buffer, start: number, end: number): Template | undefined {
  const choices = chunk.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const delta = (choices[0] as { delta?: unknown } | null)?.delta;
  if (delta === null || typeof delta !== 'object') return undefined;
  const payload = bytes.subarray(start, end);
  for (const key of FRAGMENT_KEYS) {
    const holder = key === 'arguments' ? argumentsHolder(delta as Record<string, unknown>) : delta;
    const value = (holder as Record<string, unknown> | undefined)?.[key];
    if (typeof value !== 'string' || value === '') continue;
    const quotedKey = QUOTED_KEYS.get(key)!;
    const at = payload.lastIndexOf(quotedKey);
    if (at === -1) continue;
    const literal = Buffer.from(JSON.stringify(value));
    const literalStart = at + quotedKey.length;
    const literalEnd = literalStart + literal.length;
    if (literalEnd > payload.length || payload.compare(literal, 0, literal.length, literalStart, literalEnd) !== 0)
      continue;
    if (!fragmentLiesThere(payload, literalStart, literalEnd, key, value)) continue;
    return {
      bytes,
      start,
      literalStart: start + literalStart,
      literalEnd: start + literalEnd,
      end,
      holder: holder as Record<string, unknown>,
      key,
      copy: chunkCopier(chunk, key),
    };
  }
  return undefined;
}

/** Whether the payload with another literal in place of bytes [literalStart, literalEnd) parses to a delta holding that literal's value. */
function fragmentLiesThere(
  payload: Buffer,
  literalStart: number,
  literalEnd: number,
  key: FragmentKey,
  value: string,
): boolean {
  const probe = `${value}\u0000`;
  const text = Buffer.concat([
    payload.subarray(0, literalStart),
    Buffer.from(JSON.stringify(probe)),
    payload.subarray(literalEnd),
  ]).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  const choices = (parsed as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return false;
  const delta = (choices[0] as { delta?: unknown } | null)?.delta;
  if (delta === null || typeof delta !== 'object') return false;
  const holder = key === 'arguments' ? argumentsHolder(delta as Record<string, unknown>) : delta;
  return (holder as Record<string, unknown> | undefined)?.[key] === probe;
}

/** The `function` object of a delta's one tool-call fragment, which holds its `arguments`. */
function argumentsHolder(delta: Record<string, unknown>): Record<string, unknown> | undefined {
  const calls = delta.tool_calls;
  if (!Array.isArray(calls) || calls.length !== 1) return undefined;
  const fn = (calls[0] as { function?: unknown } | null)?.function;
  return fn !== null && typeof fn === 'object' ? (fn as Record<string, unknown>) : undefined;
}

/**
 * The copier of a delta chunk whose fragment is held at `key`. In the usual
 * chunk the only objects are those on the way to the fragment (the chunk,
 * its one choice, the delta, and for arguments the one tool call and its
 * function): they are copied with spreads, one site per level, which V8 does
 * by cloning each object's layout. A chunk holding other objects (logprobs,
 * a usage object) is copied field by field, those objects included, so every
 * chunk read is a tree of its own, as JSON.parse would make.
 */
function chunkCopier(chunk: JsonObject, key: FragmentKey): Copier {
  const choice = (chunk.choices as JsonObject[])[0]!;
  const delta = choice.delta as JsonObject;
  const holder = key === 'arguments' ? argumentsHolder(delta)! : delta;
  if (key !== 'arguments') {
    if (holdsObjects(chunk, 'choices') || holdsObjects(choice, 'delta') || holdsObjects(delta, key))
      return (fragment) => copyWith(chunk, holder, key, fragment);
    return (fragment) => {
      const copy = { ...delta };
      copy[key] = fragment;
      return { ...chunk, choices: [{ ...choice, delta: copy }] };
    };
  }
  const call = (delta.tool_calls as JsonObject[])[0]!;
  if (
    holdsObjects(chunk, 'choices') ||
    holdsObjects(choice, 'delta') ||
    holdsObjects(delta, 'tool_calls') ||
    holdsObjects(call, 'function') ||
    holdsObjects(holder, key)
  )
    return (fragment) => copyWith(chunk, holder, key, fragment);
  return (fragment) => ({
    ...chunk,
    choices: [
      { ...choice, delta: { ...delta, tool_calls: [{ ...call, function: { ...holder, arguments: fragment } }] } },
    ],
  });
}

type JsonObject = Record<string, unknown>;

/** Whether any field of `value` but `except` holds an object or array. */
function holdsObjects(value: JsonObject, except: string): boolean {
  for (const name of Object.keys(value)) {
    const field = value[name];
    if (name !== except && field !== null && typeof field === 'object') return true;
  }
  return false;
}

/** A copy of `value` (JSON data) with `fragment` in place of `holder[key]`. */
function copyWith(value: unknown, holder: object, key: string, fragment: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((element) => copyWith(element, holder, key, fragment));
  const copy: JsonObject = {};
  const source = value as JsonObject;
  for (const name of Object.keys(source)) {
    const field = name === key && value === holder ? fragment : copyWith(source[name], holder, key, fragment);
    // JSON.parse makes "__proto__" an own property; an assignment would set the prototype instead.
    if (name === '__proto__')
      Object.defineProperty(copy, name, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[name] = field;
  }
  return copy;
}
