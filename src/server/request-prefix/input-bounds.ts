/**
 * Where a request body's `input` items end, found in its bytes. The body has
 * already parsed as JSON (JSON.parse said so), so the scanner only has to
 * find boundaries: it skips strings with memchr-speed searches for the next
 * quote, counts nesting outside them, and never decodes a value. It gives up
 * (undefined) on anything that would make the bytes before the end of the
 * last item mean something else than the parsed body says: a top-level key
 * written with an escape or non-ASCII characters, the same top-level key twice (JSON.parse keeps the
 * last), an `input` that is not an array, a body that is not an object. Pure.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The top-level keys before `input`, and where its items end. */
export interface InputBounds {
  /** Top-level keys written before `input`, in order. */
  keysBefore: string[];
  /** The offset just after the last item (just after `[` when there is none). */
  inputEnd: number;
  /** How many items the array holds. */
  itemCount: number;
}

/** The bounds of a parsed body's `input` array, or undefined where they cannot be trusted (see the top of this file). */
export function findInputBounds(bytes: Buffer): InputBounds | undefined {
  let at = skipWhitespace(bytes, 0);
  if (bytes[at] !== OPEN_BRACE) return undefined;
  at = skipWhitespace(bytes, at + 1);
  const keys = new Set<string>();
  const keysBefore: string[] = [];
  let found: { inputEnd: number; itemCount: number } | undefined;
  if (bytes[at] === CLOSE_BRACE) return undefined;
  for (;;) {
    if (bytes[at] !== QUOTE) return undefined;
    const keyEnd = skipString(bytes, at);
    if (keyEnd < 0 || !plainKey(bytes, at + 1, keyEnd - 1)) return undefined;
    const key = bytes.toString('utf8', at + 1, keyEnd - 1);
    if (keys.has(key)) return undefined;
    keys.add(key);
    at = skipWhitespace(bytes, keyEnd);
    if (bytes[at] !== COLON) return undefined;
    at = skipWhitespace(bytes, at + 1);
    if (key === 'input') {
      if (bytes[at] !== OPEN_BRACKET) return undefined;
      const items = scanItems(bytes, at + 1, at + 1, 0);
      if (items === undefined) return undefined;
      found = { inputEnd: items.inputEnd, itemCount: items.itemCount };
      at = items.arrayEnd;
    } else {
      if (found === undefined) keysBefore.push(key);
      at = skipValue(bytes, at);
      if (at < 0) return undefined;
    }
    at = skipWhitespace(bytes, at);
    if (bytes[at] === COMMA) {
      at = skipWhitespace(bytes, at + 1);
      continue;
    }
    if (bytes[at] !== CLOSE_BRACE) return undefined;
    return found === undefined ? undefined : { keysBefore, ...found };
  }
}

/**
 * Continues a scan of the `input` array from `from`, just after item
 * `itemCount` (or just after `[`): where the items now end, and how many
 * there are. For a body whose bytes up to `from` are those of a body already
 * scanned.
 */
export function continueInputBounds(
  bytes: Buffer,
  from: number,
  itemCount: number,
): { inputEnd: number; itemCount: number } | undefined {
  const items = scanItems(bytes, from, from, itemCount);
  return items === undefined ? undefined : { inputEnd: items.inputEnd, itemCount: items.itemCount };
}

/** Scans array items from `at` to the closing bracket. */
function scanItems(
  bytes: Buffer,
  start: number,
  lastEnd: number,
  count: number,
): { inputEnd: number; itemCount: number; arrayEnd: number } | undefined {
  let at = skipWhitespace(bytes, start);
  let inputEnd = lastEnd;
  let itemCount = count;
  for (;;) {
    if (bytes[at] === CLOSE_BRACKET) return { inputEnd, itemCount, arrayEnd: at + 1 };
    if (itemCount > 0) {
      if (bytes[at] !== COMMA) return undefined;
      at = skipWhitespace(bytes, at + 1);
    }
    at = skipValue(bytes, at);
    if (at < 0) return undefined;
    inputEnd = at;
    itemCount++;
    at = skipWhitespace(bytes, at);
  }
}

/** The offset after the value starting at `at`, or -1. */
function skipValue(bytes: Buffer, start: number): number {
  const first = bytes[start];
  if (first === QUOTE) return skipString(bytes, start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let at = start;
    while (at < bytes.length && !isDelimiter(bytes[at]!)) at++;
    return at > start ? at : -1;
  }
  let depth = 0;
  let at = start;
  while (at < bytes.length) {
    const byte = bytes[at]!;
    if (byte === QUOTE) {
      at = skipString(bytes, at);
      if (at < 0) return -1;
      continue;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  return -1;
}

/** The offset after the string whose opening quote is at `start`, or -1. */
function skipString(bytes: Buffer, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    // An even run of backslashes escapes itself, not the quote.
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** A key of ASCII characters without escapes: its bytes are its text. */
function plainKey(bytes: Buffer, start: number, end: number): boolean {
  for (let at = start; at < end; at++) if (bytes[at]! >= 0x80 || bytes[at] === BACKSLASH) return false;
  return true;
}

function skipWhitespace(bytes: Buffer, start: number): number {
  let at = start;
  for (;;) {
    const byte = bytes[at];
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return at;
    at++;
  }
}

function isDelimiter(byte: number): boolean {
  return (
    byte === COMMA ||
    byte === CLOSE_BRACE ||
    byte === CLOSE_BRACKET ||
    byte === 0x20 ||
    byte === 0x0a ||
    byte === 0x0d ||
    byte === 0x09
  );
}
