/**
 * A TOML document as a list of statements with their exact text spans:
 * table headers, key/value pairs (however many lines their value takes) and
 * trivia (blank and comment lines). Enough to change a few keys and one table
 * of a user's file while every other byte — comments, layout, other tables —
 * stays as it was. Values are skipped over, not interpreted; the edited text
 * is checked with a real parser afterwards.
 */

export type TomlStatement =
  | { kind: 'table'; path: string[]; arrayOfTables: boolean; start: number; end: number }
  | { kind: 'pair'; key: string[]; start: number; end: number }
  | { kind: 'trivia'; start: number; end: number };

/** Splits a document into statements; `end` includes the line break. Throws on text it cannot follow. */
export function scanStatements(text: string): TomlStatement[] {
  const statements: TomlStatement[] = [];
  let position = 0;
  while (position < text.length) {
    const start = position;
    position = skipSpaces(text, position);
    const char = text[position];
    if (char === undefined || char === '\n' || char === '\r' || char === '#') {
      position = endOfLine(text, position);
      statements.push({ kind: 'trivia', start, end: position });
    } else if (char === '[') {
      const arrayOfTables = text[position + 1] === '[';
      const parsed = readKey(text, skipSpaces(text, position + (arrayOfTables ? 2 : 1)));
      let after = skipSpaces(text, parsed.end);
      const closing = arrayOfTables ? ']]' : ']';
      if (!text.startsWith(closing, after)) throw new Error(`unexpected text in a table header at offset ${after}`);
      after = skipSpaces(text, after + closing.length);
      position = endOfLine(text, after);
      statements.push({ kind: 'table', path: parsed.key, arrayOfTables, start, end: position });
    } else {
      const parsed = readKey(text, position);
      const equals = skipSpaces(text, parsed.end);
      if (text[equals] !== '=') throw new Error(`expected "=" after a key at offset ${equals}`);
      position = endOfLine(text, skipValue(text, equals + 1));
      statements.push({ kind: 'pair', key: parsed.key, start, end: position });
    }
  }
  return statements;
}

function skipSpaces(text: string, position: number): number {
  while (text[position] === ' ' || text[position] === '\t') position++;
  return position;
}

/** From a position on a line (spaces or a comment left), to just after its line break. */
function endOfLine(text: string, position: number): number {
  const newline = text.indexOf('\n', position);
  return newline === -1 ? text.length : newline + 1;
}

/** A dotted key: bare, "basic" and 'literal' parts. */
function readKey(text: string, position: number): { key: string[]; end: number } {
  const key: string[] = [];
  for (;;) {
    position = skipSpaces(text, position);
    const char = text[position];
    if (char === '"') {
      const end = closingQuote(text, position + 1, '"', true);
      const raw = text.slice(position, end + 1);
      key.push(decodeBasicString(raw));
      position = end + 1;
    } else if (char === "'") {
      const end = closingQuote(text, position + 1, "'", false);
      key.push(text.slice(position + 1, end));
      position = end + 1;
    } else {
      const match = /^[A-Za-z0-9_-]+/.exec(text.slice(position, position + 256));
      if (!match) throw new Error(`expected a key at offset ${position}`);
      key.push(match[0]);
      position += match[0].length;
    }
    const next = skipSpaces(text, position);
    if (text[next] !== '.') return { key, end: position };
    position = next + 1;
  }
}

/** Skips one value (which may span lines inside arrays, inline tables and multi-line strings). */
function skipValue(text: string, position: number): number {
  let depth = 0;
  while (position < text.length) {
    const char = text[position]!;
    if (char === '\n') {
      if (depth === 0) return position;
      position++;
    } else if (char === '#') {
      const newline = text.indexOf('\n', position);
      if (newline === -1 || depth === 0) return newline === -1 ? text.length : newline;
      position = newline + 1;
    } else if (char === '"' || char === "'") {
      const triple = text.startsWith(char.repeat(3), position);
      if (triple) {
        let end = text.indexOf(char.repeat(3), position + 3);
        while (end !== -1 && char === '"' && isEscaped(text, end)) end = text.indexOf('"""', end + 1);
        if (end === -1) throw new Error(`unterminated multi-line string at offset ${position}`);
        position = end + 3;
        // Up to two quotes may end the content right before the closing delimiter.
        while (text[position] === char && position < end + 5) position++;
      } else {
        position = closingQuote(text, position + 1, char, char === '"') + 1;
      }
    } else {
      if (char === '[' || char === '{') depth++;
      else if (char === ']' || char === '}') depth--;
      position++;
    }
  }
  if (depth !== 0) throw new Error('unterminated array or inline table');
  return position;
}

/** The index of the quote closing a one-line string. */
function closingQuote(text: string, position: number, quote: string, escapes: boolean): number {
  for (let index = position; index < text.length; index++) {
    const char = text[index];
    if (char === '\n') break;
    if (escapes && char === '\\') {
      index++;
      continue;
    }
    if (char === quote) return index;
  }
  throw new Error(`unterminated string at offset ${position - 1}`);
}

/** True when the character at `index` follows an odd number of backslashes. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let cursor = index - 1; cursor >= 0 && text[cursor] === '\\'; cursor--) backslashes++;
  return backslashes % 2 === 1;
}

function decodeBasicString(raw: string): string {
  try {
    return JSON.parse(
      raw.replace(/\\U([0-9A-Fa-f]{8})/g, (_, hex: string) =>
        JSON.stringify(String.fromCodePoint(parseInt(hex, 16))).slice(1, -1),
      ),
    ) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** The statements before the first table header (the document's root table). */
export function rootStatements(statements: readonly TomlStatement[]): TomlStatement[] {
  const firstTable = statements.findIndex((statement) => statement.kind === 'table');
  return firstTable === -1 ? [...statements] : statements.slice(0, firstTable);
}

/** True when two key paths are the same. */
export function samePath(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((part, index) => part === right[index]);
}
