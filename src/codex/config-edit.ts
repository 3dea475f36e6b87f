/**
 * Surgical edits of Codex's config.toml: set or remove a few root keys and
 * replace, add or remove one table (with its sub-tables), leaving every other
 * byte of the file as it was. Pure text in, text out.
 */
import { rootStatements, samePath, scanStatements, type TomlStatement } from './toml-statements.js';

/** A span of the text and what it holds. */
export interface TextSpan {
  start: number;
  end: number;
  text: string;
}

/** The line break the file already uses. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** The root-table pair for `key` (a one-part key), if the file has one. */
export function findRootPair(text: string, key: string): TextSpan | undefined {
  const pair = rootStatements(scanStatements(text)).find(
    (statement) => statement.kind === 'pair' && samePath(statement.key, [key]),
  );
  return pair ? span(text, pair) : undefined;
}

/**
 * The table at `path` with its sub-tables, from its header to its last key
 * (comments and blank lines after that belong to whatever follows).
 */
export function findTable(text: string, path: readonly string[]): TextSpan | undefined {
  const statements = scanStatements(text);
  const headerIndex = statements.findIndex(
    (statement) => statement.kind === 'table' && !statement.arrayOfTables && samePath(statement.path, path),
  );
  if (headerIndex === -1) return undefined;
  let last = headerIndex;
  for (let index = headerIndex + 1; index < statements.length; index++) {
    const statement = statements[index]!;
    if (statement.kind === 'table' && !isWithin(statement.path, path)) break;
    if (statement.kind !== 'trivia') last = index;
  }
  return {
    start: statements[headerIndex]!.start,
    end: statements[last]!.end,
    text: text.slice(statements[headerIndex]!.start, statements[last]!.end),
  };
}

/**
 * Sets root keys: an existing pair is replaced where it stands, new ones go
 * after the last root pair (or at the top of the file). `lines` are complete
 * `key = value` lines without line breaks.
 */
export function setRootPairs(text: string, lines: ReadonlyArray<{ key: string; line: string }>): string {
  const lineBreak = lineBreakOf(text);
  let result = text;
  const missing: string[] = [];
  for (const { key, line } of lines) {
    const existing = findRootPair(result, key);
    if (existing) result = result.slice(0, existing.start) + line + lineBreak + result.slice(existing.end);
    else missing.push(line);
  }
  if (missing.length === 0) return result;
  const root = rootStatements(scanStatements(result));
  const lastPair = [...root].reverse().find((statement) => statement.kind === 'pair');
  const insertAt = lastPair ? lastPair.end : 0;
  const before = result.slice(0, insertAt);
  const needsBreak = before !== '' && !before.endsWith('\n');
  const block = missing.join(lineBreak) + lineBreak;
  // At the top of a file that goes on, a blank line keeps the new keys apart from what follows.
  const separator = !lastPair && result.length > 0 ? lineBreak : '';
  return before + (needsBreak ? lineBreak : '') + block + separator + result.slice(insertAt);
}

/** Removes a root pair; returns the text unchanged when the key is absent. */
export function removeRootPair(text: string, key: string): string {
  const existing = findRootPair(text, key);
  return existing ? text.slice(0, existing.start) + text.slice(existing.end) : text;
}

/** Replaces the table at `path` (and its sub-tables) with `tableText`, or appends it. */
export function putTable(text: string, path: readonly string[], tableText: string): string {
  const lineBreak = lineBreakOf(text);
  const normalized = tableText.replace(/\r?\n/g, lineBreak).replace(new RegExp(`(${lineBreak})*$`), lineBreak);
  const existing = findTable(text, path);
  if (existing) return text.slice(0, existing.start) + normalized + text.slice(existing.end);
  if (text === '') return normalized;
  const trimmed = text.endsWith(lineBreak) ? text : text + lineBreak;
  return trimmed + lineBreak + normalized;
}

/** Removes the table at `path` and its sub-tables, and the blank line that set it apart. */
export function removeTable(text: string, path: readonly string[]): string {
  const existing = findTable(text, path);
  if (!existing) return text;
  let before = text.slice(0, existing.start);
  let after = text.slice(existing.end);
  if (after.trim() === '') {
    before = before.replace(/(\r?\n)+$/, '$1');
    after = '';
  } else if (/\r?\n\r?\n$/.test(before) || before === '') {
    after = after.replace(/^\r?\n/, '');
  }
  const joined = before + after;
  return joined.trim() === '' ? '' : joined;
}

function isWithin(path: readonly string[], parent: readonly string[]): boolean {
  return path.length > parent.length && parent.every((part, index) => path[index] === part);
}

function span(text: string, statement: TomlStatement): TextSpan {
  return { start: statement.start, end: statement.end, text: text.slice(statement.start, statement.end) };
}
