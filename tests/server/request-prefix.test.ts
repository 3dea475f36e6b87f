/**
 * A conversation resent over HTTP with new items at the end is read from its
 * kept prefix (request-prefix-cache.ts): only the tail is parsed, only new
 * items are validated and translated. That must never change anything: every
 * request here goes through the kept path (one cache, turn after turn) and
 * through the whole path (parsed and translated from nothing), and the Chat
 * request bytes, the notes and the errors must be the same. Sequences: the
 * recorded Codex conversations (fixtures, and ../shared/codex-wire when
 * present), the benchmark's long histories, generated conversations written
 * with escapes, non-ASCII text, \u escapes, whitespace and other key orders,
 * and the edge cases (compaction, an edited or cut-short conversation,
 * invalid JSON or items in the tail, repeated keys, two requests at once).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyRequest } from '../../bench/relay/history-workload.js';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';
import { RelayError } from '../../src/errors.js';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { genericProvider } from '../../src/providers/generic.js';
import { parseJsonBytes } from '../../src/server/read-json-body.js';
import { continueInputBounds, findInputBounds } from '../../src/server/request-prefix/input-bounds.js';
import { KEPT_REQUEST_OVERHEAD, RequestPrefixCache } from '../../src/server/request-prefix/request-prefix-cache.js';
import { chatRequestJson } from '../../src/translate/chat-request-json.js';
import { encodeCompactionEnvelope } from '../../src/translate/compaction/compaction-envelope.js';
import { expandCompactions } from '../../src/translate/compaction/compaction-input.js';
import type { TranslationNote } from '../../src/translate/notes.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { seededRandom } from '../support/seeded-random.js';
import { missingSharedMessage, sharedPath } from '../support/shared-material.js';

const COMPACTION_KEY = Buffer.alloc(32, 3);
const SESSION = 'session-1';

interface Outcome {
  chat?: string;
  notes?: TranslationNote[];
  error?: { status: number; message: string; param: unknown; code: unknown };
}

function failure(error: unknown): Outcome {
  if (!(error instanceof RelayError)) throw error;
  return { error: { status: error.status, message: error.message, param: error.param, code: error.code } };
}

/** The request as the relay translates it, from a body already read (as run-turn.ts does for an HTTP turn). */
function translate(
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
function wholePath(bytes: Buffer, profile: ProviderProfile): Outcome {
  try {
    return translate(parseJsonBytes(bytes), profile);
  } catch (error) {
    return failure(error);
  }
}

/** The kept path: through the cache, as the route reads it. */
function keptPath(
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

function newCache(maxBytes = 64 * 1024 * 1024): RequestPrefixCache {
  return new RequestPrefixCache({ maxBytes, defer: (task) => task() });
}

/**
 * Sends `turns` through one cache and checks each against the whole path;
 * answers how many items each turn took from a kept request.
 */
function replay(turns: ReadonlyArray<string | Buffer>, profile: ProviderProfile = genericProvider, cache = newCache()) {
  return replayReads(turns, profile, cache).map((read) => read.reused);
}

/** `replay`, answering also whether each turn was read whole as going on from a kept request. */
function replayReads(
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
function turnsOf(body: Record<string, unknown>, cuts: readonly number[], write = JSON.stringify): string[] {
  const input = body.input as unknown[];
  return cuts.map((end) => write({ ...body, input: input.slice(0, end) }));
}

function everyCut(length: number, from = 1): number[] {
  return Array.from({ length: length - from + 1 }, (_value, index) => from + index);
}

function fixtureBodies(): Array<{ name: string; body: Record<string, unknown> }> {
  const found: Array<{ name: string; body: Record<string, unknown> }> = [];
  const root = join(PROJECT_ROOT, 'fixtures', 'codex');
  for (const version of readdirSync(root)) {
    for (const scenario of readdirSync(join(root, version))) {
      const directory = join(root, version, scenario);
      for (const file of readdirSync(directory).filter((name) => /^request-\d+\.json$/.test(name)))
        found.push({
          name: `${version}/${scenario}/${file}`,
          body: JSON.parse(readFileSync(join(directory, file), 'utf8')).body,
        });
    }
  }
  return found;
}

describe('recorded Codex conversations', () => {
  const bodies = fixtureBodies();
  it('are there to replay', () => expect(bodies.length).toBeGreaterThan(20));

  it.each(bodies.map((entry) => [entry.name, entry.body] as const))(
    '%s, one item at a time: the kept path equals the whole path',
    (_name, body) => {
      for (const profile of [genericProvider, deepseekProvider]) {
        const reused = replay(turnsOf(body, everyCut((body.input as unknown[]).length)), profile);
        // The second turn is read whole (the first is kept as bytes only); every turn after it continues the one before.
        expect(reused.slice(0, 2).every((count) => count === 0)).toBe(true);
        expect(reused.slice(2).every((count, index) => count === index + 2)).toBe(true);
      }
    },
  );

  const wire = sharedPath('codex-wire');
  const missing = missingSharedMessage(wire);
  it.skipIf(missing !== undefined)(
    `../shared/codex-wire: each recorded turn continues the one before ${missing ?? ''}`,
    () => {
      let continued = 0;
      for (const version of readdirSync(wire)) {
        for (const scenario of readdirSync(join(wire, version))) {
          const directory = join(wire, version, scenario);
          if (!existsSync(join(directory, 'req1.json'))) continue;
          const files = readdirSync(directory)
            .filter((name) => /^req\d+\.json$/.test(name))
            .sort((a, b) => Number(a.slice(3, -5)) - Number(b.slice(3, -5)));
          // Codex's own request bodies (stored parsed, written again compactly in Codex's key order).
          const turns = files.map((name) =>
            JSON.stringify(JSON.parse(readFileSync(join(directory, name), 'utf8')).body),
          );
          const reads = replayReads(turns);
          continued += reads.filter((read) => read.reused > 0 || read.extended).length;
          // The second turn goes on from the first (read whole, kept), each one after continues the one before.
          expect(
            reads.slice(1).every((read, index) => (index === 0 ? read.extended : read.reused > 0)),
            `${version}/${scenario}`,
          ).toBe(true);
        }
      }
      expect(continued).toBeGreaterThan(5);
    },
  );
});

describe('long histories (the benchmark workload)', () => {
  it('turn after turn at 60 rounds, each adding a round, equals the whole path', () => {
    const body = historyRequest(60, { chunks: 20, mcpTools: 4 });
    const length = (body.input as unknown[]).length;
    // A round (four items) at a time, as Codex appends them.
    const cuts = everyCut(length).filter((end) => end % 4 === length % 4);
    const reused = replay(turnsOf(body, cuts));
    expect(reused.slice(0, 2)).toEqual([0, 0]);
    expect(reused.slice(2).every((count, index) => count === cuts[index + 1])).toBe(true);
  });
});

/** JSON written another way than JSON.stringify: spaces and line breaks, \u escapes for non-ASCII, escaped slashes. */
function writer(options: { indent: boolean; escapeNonAscii: boolean; escapeSlash: boolean }) {
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
function generatedBody(seed: number, rounds: number, keyOrder: 'codex' | 'input-first' | 'input-last') {
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

describe('generated conversations written other ways', () => {
  const styles = [
    { indent: false, escapeNonAscii: false, escapeSlash: false },
    { indent: true, escapeNonAscii: false, escapeSlash: false },
    { indent: false, escapeNonAscii: true, escapeSlash: true },
    { indent: true, escapeNonAscii: true, escapeSlash: false },
  ];
  const orders = ['codex', 'input-first', 'input-last'] as const;
  it.each(styles.flatMap((style, index) => orders.map((order) => [index, order, style] as const)))(
    'style %i, keys %s: the kept path equals the whole path, and continues',
    (index, order, style) => {
      const body = generatedBody(index * 7 + orders.indexOf(order), 12, order);
      const reused = replay(turnsOf(body, everyCut((body.input as unknown[]).length), writer(style)));
      expect(reused.slice(2).every((count, turn) => count === turn + 2)).toBe(true);
    },
  );
});

describe('turns that cannot continue, and must still give the whole path', () => {
  const body = generatedBody(42, 6, 'codex');
  const input = body.input as unknown[];
  const turn = (items: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ ...body, input: items, ...extra });

  it('an earlier message edited, keeping the length (the bytes before the end differ)', () => {
    const edited = structuredClone(input) as Array<{ content?: Array<{ text: string }> }>;
    const first = edited[1]!.content![0]!;
    first.text = first.text.replace(/^./, (char) => (char === 'x' ? 'y' : 'x'));
    const reused = replay([turn(input.slice(0, 10)), turn([...edited.slice(0, 10), ...input.slice(10, 12)])]);
    expect(reused).toEqual([0, 0]);
  });

  it('a compaction replacing the history, then turns continuing the compacted conversation', () => {
    const compaction = {
      type: 'compaction',
      encrypted_content: encodeCompactionEnvelope('what happened so far', COMPACTION_KEY),
    };
    const compacted = [input[0], compaction, ...input.slice(12, 14)];
    const reused = replay([
      turn(input.slice(0, 12)),
      turn(compacted.slice(0, 3)),
      turn(compacted),
      turn([...compacted, ...input.slice(14, 16)]),
      turn([...compacted, ...input.slice(14, 18)]),
    ]);
    // The compacted conversation's second turn is read whole and kept; the turns after continue.
    expect(reused).toEqual([0, 0, 0, 4, 6]);
  });

  it('model or instructions changed before the input, or the model changed after it', () => {
    const after = { ...generatedBody(42, 6, 'input-first') };
    const reused = replay([
      turn(input.slice(0, 4)),
      turn(input.slice(0, 6), { model: 'gpt-other' }),
      turn(input.slice(0, 8), { model: 'gpt-other', instructions: 'changed' }),
      JSON.stringify({ ...after, input: input.slice(0, 4) }),
      JSON.stringify({ ...after, input: input.slice(0, 6), model: 'gpt-third' }),
      JSON.stringify({ ...after, input: input.slice(0, 8), model: 'gpt-fourth' }),
    ]);
    expect(reused).toEqual([0, 0, 0, 0, 0, 6]);
  });

  it('a body cut short, invalid JSON in the tail, an item that does not validate, then a good turn', () => {
    const good = turn(input.slice(0, 8));
    const tail = good.indexOf(',"tools"');
    const reused = replay([
      turn(input.slice(0, 5)),
      turn(input.slice(0, 6)),
      good.slice(0, good.length - 30),
      `${good.slice(0, tail)},{"type":"message","role":"user","content":[}]${good.slice(tail)}`,
      turn([...input.slice(0, 6), { type: 'function_call', call_id: 7, name: 'x', arguments: '{}' }]),
      turn([...input.slice(0, 6), 'not an item']),
      `${good.slice(0, tail)},{"type":"message","role":"user","content":"x"} , ]${good.slice(tail + 1)}`.replace(
        /\],"tools"/,
        ',"tools"',
      ),
      `${turn(input.slice(0, 6)).replace(/\],"tools"/, ', ],"tools"')}`,
      good,
    ]);
    expect(reused).toEqual([0, 0, 0, 0, 6, 6, 0, 0, 6]);
  });

  it('a top-level key repeated after the input on the first turn (JSON.parse keeps the last): not kept', () => {
    const first = `${turn(input.slice(0, 6)).slice(0, -1)},"model":"gpt-later"}`;
    // It extends the turn before (read whole, to be kept), but cannot be kept: the next turn is read whole too.
    const reused = replay([turn(input.slice(0, 4)), first, turn(input.slice(0, 8))]);
    expect(reused).toEqual([0, 0, 0]);
  });

  it('a tail that repeats a key written before the input, or input itself, or sets __proto__', () => {
    const base = turn(input.slice(0, 6));
    const next = turn(input.slice(0, 8)).slice(0, -1);
    const reused = replay([
      turn(input.slice(0, 4)),
      base,
      `${next},"model":"gpt-tail"}`,
      base,
      `${next},"input":[]}`,
      base,
      `${next},"__proto__":{"model":"gpt-proto"}}`,
      base,
      `${next},"instructions":null}`,
    ]);
    // Each follows `base` kept with its objects (read whole as the second turn, or continued).
    expect(reused.filter((_count, index) => index > 0 && index % 2 === 0)).toEqual([0, 0, 0, 0]);
  });

  it('a key spelled with an escape, a byte order mark, an empty input, an input given as text', () => {
    const escaped = (items: unknown[]) => turn(items).replace('"input"', '"inp\\u0075t"');
    const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const tailBom = (text: string) => {
      const at = text.indexOf(',"tools"');
      return Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(text.slice(at)),
      ]);
    };
    const three = (write: (items: unknown[]) => string | Buffer) =>
      replay([write(input.slice(0, 2)), write(input.slice(0, 4)), write(input.slice(0, 6))]);
    expect(three(escaped)).toEqual([0, 0, 0]);
    // The scan starts at the opening brace: a body with a byte order mark is read whole.
    expect(three((items) => bom(turn(items)))).toEqual([0, 0, 0]);
    expect(replay([turn(input.slice(0, 2)), turn(input.slice(0, 4)), tailBom(turn(input.slice(0, 6)))])).toEqual([
      0, 0, 0,
    ]);
    expect(replay([turn([]), turn(input.slice(0, 3)), turn(input.slice(0, 3))])).toEqual([0, 0, 3]);
    expect(
      replay([
        JSON.stringify({ ...body, input: 'hello' }),
        JSON.stringify({ ...body, input: 'hello again' }),
        JSON.stringify({ ...body, input: 'hello once more' }),
      ]),
    ).toEqual([0, 0, 0]);
  });

  it('two requests of one conversation at once', () => {
    const cache = newCache();
    keptPath(cache, Buffer.from(turn(input.slice(0, 4))), genericProvider);
    keptPath(cache, Buffer.from(turn(input.slice(0, 6))), genericProvider);
    const one = Buffer.from(turn(input.slice(0, 8)));
    const two = Buffer.from(turn(input.slice(0, 9)));
    const readOne = cache.read(one, SESSION);
    const readTwo = cache.read(two, SESSION);
    expect([readOne.reusedItems, readTwo.reusedItems]).toEqual([6, 6]);
    expect(translate(readOne.body, genericProvider, readOne)).toEqual(wholePath(one, genericProvider));
    expect(translate(readTwo.body, genericProvider, readTwo)).toEqual(wholePath(two, genericProvider));
    // Both are kept; the next turn continues either.
    const three = Buffer.from(turn(input.slice(0, 10)));
    const { reused, ...outcome } = keptPath(cache, three, genericProvider);
    expect(reused).toBeGreaterThan(0);
    expect(outcome).toEqual(wholePath(three, genericProvider));
  });
});

describe('the cache', () => {
  const body = generatedBody(5, 4, 'codex');
  const input = body.input as unknown[];
  const turn = (end: number) => Buffer.from(JSON.stringify({ ...body, input: input.slice(0, end) }));

  it('keeps conversations apart by key, and nothing without one', () => {
    const cache = newCache();
    expect(keptPath(cache, turn(2), genericProvider, 'a').reused).toBe(0);
    expect(keptPath(cache, turn(4), genericProvider, 'a').reused).toBe(0);
    expect(keptPath(cache, turn(6), genericProvider, 'b').reused).toBe(0);
    expect(keptPath(cache, turn(8), genericProvider, 'a').reused).toBe(4);
    const unnamed = cache.read(turn(10), undefined);
    expect(unnamed.readings).toBeUndefined();
    expect(cache.read(turn(10), 'a').reusedItems).toBe(8);
    expect(cache.counters).toEqual({ continued: 2, reusedItems: 12, whole: 3 });
  });

  it('holds at most its bytes, dropping the least recently used conversation, and a few requests per conversation', () => {
    const size = turn(8).length + KEPT_REQUEST_OVERHEAD;
    const cache = new RequestPrefixCache({ maxBytes: size * 2 + 10, perConversation: 2, defer: (task) => task() });
    for (const key of ['a', 'b', 'c']) {
      keptPath(cache, turn(6), genericProvider, key);
      keptPath(cache, turn(8), genericProvider, key);
    }
    expect(cache.bytesHeld).toBeLessThanOrEqual(size * 2 + 10);
    expect(cache.read(turn(9), 'a').reusedItems).toBe(0);
    expect(cache.read(turn(9), 'c').reusedItems).toBe(8);
    // Many small conversations: each kept request counts its translation's buffer too.
    const small = new RequestPrefixCache({ maxBytes: 10 * KEPT_REQUEST_OVERHEAD, defer: (task) => task() });
    for (let index = 0; index < 40; index++) {
      keptPath(small, turn(1), genericProvider, `small-${index}`);
      keptPath(small, turn(2), genericProvider, `small-${index}`);
    }
    expect(small.bytesHeld).toBeLessThanOrEqual(10 * KEPT_REQUEST_OVERHEAD);
    const continued = Array.from({ length: 40 }, (_value, index) => small.read(turn(3), `small-${index}`).reusedItems);
    expect(continued.filter((count) => count > 0).length).toBeLessThan(10);
    expect(continued.at(-1)).toBe(2);
    const off = new RequestPrefixCache({ maxBytes: 0, defer: (task) => task() });
    keptPath(off, turn(4), genericProvider, 'a');
    expect(off.read(turn(6), 'a').reusedItems).toBe(0);
    expect(off.bytesHeld).toBe(0);
  });

  it('keeps a first request as without the cache, as bytes only; the turn that goes on from it is kept with its objects', () => {
    const cache = newCache();
    const first = cache.read(turn(4), SESSION);
    // No readings: the turn asks for no translation to keep, as a request without a session.
    expect(first.readings).toBeUndefined();
    expect(first.extendsKept).toBeUndefined();
    first.keep(undefined);
    expect(cache.bytesHeld).toBe(turn(4).length);
    const second = cache.read(turn(6), SESSION);
    expect([second.reusedItems, second.extendsKept, second.readings !== undefined]).toEqual([0, true, true]);
    expect(translate(second.body, genericProvider, second)).toEqual(wholePath(turn(6), genericProvider));
    // In place of the first: one request, with its objects.
    expect(cache.bytesHeld).toBe(turn(6).length + KEPT_REQUEST_OVERHEAD);
    expect(keptPath(cache, turn(8), genericProvider).reused).toBe(6);
    // A request that goes on from nothing kept (an edited conversation) is kept as bytes only again.
    const edited = Buffer.from(JSON.stringify({ ...body, instructions: 'other', input: input.slice(0, 8) }));
    expect(cache.read(edited, SESSION).extendsKept).toBeUndefined();
  });
});

describe('finding the end of the input in the bytes', () => {
  it('agrees with JSON.parse on item counts and stops where the last item ends', () => {
    const text =
      '{ "model" : "m", "x":{"input":[1]}, "input" : [ {"a":"]\\"}"} , [1,[2]], "s\\\\", -1.5e3, true ] , "z":null}';
    const bounds = findInputBounds(Buffer.from(text))!;
    expect(bounds.keysBefore).toEqual(['model', 'x']);
    expect(bounds.itemCount).toBe((JSON.parse(text).input as unknown[]).length);
    expect(text.slice(0, bounds.inputEnd).endsWith('true')).toBe(true);
    const more = `${text.slice(0, bounds.inputEnd)},{"b":2}]}`;
    expect(continueInputBounds(Buffer.from(more), bounds.inputEnd, bounds.itemCount)).toEqual({
      inputEnd: more.length - 2,
      itemCount: bounds.itemCount + 1,
    });
    for (const refused of ['[1]', '{"input":"text"}', '{"input":[],"input":[]}', '{"inp\\u0075t":[]}', '{"model":"m"}'])
      expect(findInputBounds(Buffer.from(refused)), refused).toBeUndefined();
  });
});
