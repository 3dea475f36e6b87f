/**
 * Requests a kept conversation cannot continue must still give exactly what
 * the whole path gives (Chat request bytes, notes, errors): an edited or
 * compacted history, a changed model, a body cut short or invalid in its
 * tail, repeated keys, escapes in keys, two requests at once. Then the cache
 * itself (its bound, its keys, what it keeps) and the byte scanner that finds
 * where the input ends. See request-prefix.test.ts for whole conversations.
 */
import { describe, expect, it } from 'vitest';
import { genericProvider } from '../../src/providers/generic.js';
import { continueInputBounds, findInputBounds } from '../../src/server/request-prefix/input-bounds.js';
import { KEPT_REQUEST_OVERHEAD, RequestPrefixCache } from '../../src/server/request-prefix/request-prefix-cache.js';
import { encodeCompactionEnvelope } from '../../src/translate/compaction/compaction-envelope.js';
import {
  COMPACTION_KEY,
  generatedBody,
  keptPath,
  newCache,
  replay,
  SESSION,
  translate,
  wholePath,
} from '../support/request-prefix-paths.js';

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
