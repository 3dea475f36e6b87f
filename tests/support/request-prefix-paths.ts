/**
 * The two paths a Codex request over HTTP can take (server/request-prefix/):
 * the whole path (parsed and translated from nothing) and the kept path
 * (through a RequestPrefixCache, turn after turn), and conversations to send
 * down both: generated ones, written with escapes, non-ASCII text and other
 * key orders. Used by the request-prefix tests.
 */
import { expect } from 'vitest';
import { RelayError } from '../../src/errors.js';
import { genericProvider } from '../../src/providers/generic.js';
import { parseJsonBytes } from '../../src/server/read-json-body.js';
import { RequestPrefixCache } from '../../src/server/request-prefix/request-prefix-cache.js';
import { chatRequestJson } from '../../src/translate/chat-request-json.js';
import { expandCompactions } from '../../src/translate/compaction/compaction-input.js';
import type { TranslationNote } from '../../src/translate/notes.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { seededRandom } from './seeded-random.js';

export const COMPACTION_KEY = Buffer.alloc(32, 3);
export const SESSION = 'session-1';

export interface Outcome {
  chat?: string;
  notes?: TranslationNote[];
  error?: { status: number; message: string; param: unknown; code: unknown };
}

function failure(error: unknown): Outcome {
  if (!(error instanceof RelayError)) throw error;
  return { error: { status: error.status, message: error.message, param: error.param, code: error.code } };
}

/** The request as the relay translates it, from a body already read (as run-turn.ts does for an HTTP turn). */
export function translate(
  body: unknown,
  profile: ProviderProfile,
  read?: Pick<ReturnType<RequestPrefixCache['read']>, 'readings' | 'earlier' | 'keep'>,
): Outcome {
  const parsed = parseResponsesRequest(body, read?.readings);
  const notes: TranslationNote[] = [...parsed.notes];
  const conversation = {
    ...parsed.request,
    input: [...expandCompactions(parsed.request.input, COMPACTION_KEY, notes)],
  };
  const built = buildChatRequest(
    conversation,
    profile,
    parsed.request.model,
    notes,
    read ? { earlier: read.earlier } : undefined,
  );
  read?.keep(built.translation);
  return { chat: String(chatRequestJson(built.body)), notes: built.notes };
}

/** The whole path: the body parsed, validated and translated from nothing. */
export function wholePath(bytes: Buffer, profile: ProviderProfile): Outcome {
  try {
    return translate(parseJsonBytes(bytes), profile);
  } catch (error) {
    return failure(error);
  }
}

/** The kept path: through the cache, as the route reads it. */
export function keptPath(
  cache: RequestPrefixCache,
  bytes: Buffer,
  profile: ProviderProfile,
  key: string = SESSION,
): Outcome & { reused: number; extended?: boolean } {
  let reused = 0;
  let extended: boolean | undefined;
  try {
    const read = cache.read(bytes, key);
    reused = read.reusedItems;
    extended = read.extendsKept;
    return { ...translate(read.body, profile, read), reused, extended };
  } catch (error) {
    return { ...failure(error), reused, extended };
  }
}

export function newCache(maxBytes = 64 * 1024 * 1024): RequestPrefixCache {
  return new RequestPrefixCache({ maxBytes, defer: (task) => task() });
}

/**
 * Sends `turns` through one cache and checks each against the whole path;
 * answers how many items each turn took from a kept request.
 */
export function replay(
  turns: ReadonlyArray<string | Buffer>,
  profile: ProviderProfile = genericProvider,
  cache = newCache(),
) {
  return replayReads(turns, profile, cache).map((read) => read.reused);
}

/** `replay`, answering also whether each turn was read whole as going on from a kept request. */
export function replayReads(
  turns: ReadonlyArray<string | Buffer>,
  profile: ProviderProfile = genericProvider,
  cache = newCache(),
) {
  return turns.map((turn, index) => {
    const bytes = typeof turn === 'string' ? Buffer.from(turn) : turn;
    const kept = keptPath(cache, bytes, profile);
    const { reused, extended, ...outcome } = kept;
    expect(outcome, `turn ${index}`).toEqual(wholePath(bytes, profile));
    return { reused, extended: extended === true };
  });
}

/** The requests of a conversation, one per cut of its final input: each turn resends the last with new items. */
export function turnsOf(body: Record<string, unknown>, cuts: readonly number[], write = JSON.stringify): string[] {
  const input = body.input as unknown[];
  return cuts.map((end) => write({ ...body, input: input.slice(0, end) }));
}

export function everyCut(length: number, from = 1): number[] {
  return Array.from({ length: length - from + 1 }, (_value, index) => from + index);
}

export function writer(options: { indent: boolean; escapeNonAscii: boolean; escapeSlash: boolean }) {
  const string = (text: string): string => {
    let json = JSON.stringify(text);
    if (options.escapeNonAscii)
      json = json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (options.escapeSlash) json = json.replaceAll('/', '\\/');
    return json;
  };
  const write = (value: unknown, depth: number): string => {
    const gap = options.indent ? `\n${'  '.repeat(depth + 1)}` : '';
    const close = options.indent ? `\n${'  '.repeat(depth)}` : '';
    const colon = options.indent ? ': ' : ':';
    if (typeof value === 'string') return string(value);
    if (Array.isArray(value))
      return value.length === 0 ? '[]' : `[${value.map((item) => gap + write(item, depth + 1)).join(',')}${close}]`;
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 0) return '{}';
      return `{${entries.map(([key, item]) => `${gap}${string(key)}${colon}${write(item, depth + 1)}`).join(',')}${close}}`;
    }
    return JSON.stringify(value);
  };
  return (value: unknown) => write(value, 0);
}

const TEXTS = [
  'plain',
  'quote " and \\ backslash',
  'naïve café — “quoted” ✓ 日本語',
  'emoji 😀 and \u2028',
  'a/b/c',
  '{"json":[1,2]}',
  '\n\ttabs',
];

/** A conversation of `rounds` tool rounds with text from TEXTS, some items the relay skips, and a tool found on the way. */
export function generatedBody(seed: number, rounds: number, keyOrder: 'codex' | 'input-first' | 'input-last') {
  const next = seededRandom(seed);
  const text = () => TEXTS[Math.floor(next() * TEXTS.length)]! + String(Math.floor(next() * 1000));
  const input: unknown[] = [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: text() }] }];
  for (let round = 0; round < rounds; round++) {
    input.push({ type: 'message', role: 'user', content: [{ type: 'input_text', text: text() }] });
    if (next() < 0.5) input.push({ type: 'reasoning', summary: [{ type: 'summary_text', text: text() }] });
    input.push({
      type: 'function_call',
      call_id: `call_${round}`,
      name: 'shell',
      arguments: JSON.stringify({ cmd: text() }),
    });
    input.push({ type: 'function_call_output', call_id: `call_${round}`, output: text() });
    if (next() < 0.15) input.push({ type: 'item_reference', id: `item_${round}` });
    if (next() < 0.1) input.push({ type: 'future_item_kind', data: text() });
    input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: text() }] });
  }
  const tools = [{ type: 'function', name: 'shell', description: text(), parameters: { type: 'object' } }];
  const rest = { tools, tool_choice: 'auto', parallel_tool_calls: false, store: false, stream: true };
  if (keyOrder === 'input-first') return { input, model: 'gpt-test', instructions: text(), ...rest };
  if (keyOrder === 'input-last') return { model: 'gpt-test', instructions: text(), ...rest, input };
  return { model: 'gpt-test', instructions: text(), input, ...rest };
}
