/**
 * The chunk reader builds a delta chunk from the previous one when only its
 * fragment's bytes changed; whatever it reads must be what JSON.parse gives,
 * chunk after chunk, for any envelope, fragment and mix of shapes.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ChunkReader } from '../../src/upstream/chunk-reader.js';

/** Reads each payload from the middle of a larger buffer, as a batch does, and compares with JSON.parse. */
function expectSameAsJsonParse(payloads: string[]): number {
  const reader = new ChunkReader();
  let objects = 0;
  const earlier: Array<{ read: object; expected: unknown }> = [];
  for (const payload of payloads) {
    const bytes = Buffer.from(`data: ${payload}\n\n`);
    const read = reader.read(bytes, 6, bytes.length - 2);
    let expected: unknown;
    try {
      expected = JSON.parse(payload);
    } catch {
      expected = undefined;
    }
    if (expected === null || typeof expected !== 'object') expect(read).toBeUndefined();
    else {
      expect(read).toStrictEqual(expected);
      expect(Object.getPrototypeOf(read)).toBe(Object.getPrototypeOf(expected));
      objects++;
      earlier.push({ read: read!, expected: JSON.parse(payload) });
    }
  }
  // Every chunk is a fresh object: changing one (as a hook might) changes no other.
  for (const { read, expected } of earlier) {
    for (const chunk of [read, expected] as Array<Record<string, any>>) {
      chunk.mutated = true;
      const delta = chunk.choices?.[0]?.delta;
      if (delta !== null && typeof delta === 'object') delta.mutated = true;
    }
  }
  for (const { read, expected } of earlier) expect(read).toStrictEqual(expected);
  return objects;
}

const fragment = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', ' ', '"', '\\', '\n', 'é', '😀', '\u2028', '"content":"x"', '\\"'),
);
const envelope = fc.record({
  id: fc.constantFrom('chatcmpl-1', 'chatcmpl-"2"', 'x\\"content":'),
  created: fc.constantFrom(1_700_000_000, 1_700_000_001),
  model: fc.constantFrom('m', 'content'),
});
const chunkShape = fc.tuple(
  fc.constantFrom('content', 'reasoning_content', 'reasoning', 'arguments', 'both', 'usage', 'finish'),
  envelope,
  fragment,
  fc.boolean(),
);

function chunkText([shape, env, text, spaced]: [string, Record<string, unknown>, string, boolean]): string {
  const delta =
    shape === 'arguments'
      ? { tool_calls: [{ index: 0, function: { arguments: text } }] }
      : shape === 'both'
        ? { content: text, reasoning_content: text }
        : shape === 'usage' || shape === 'finish'
          ? {}
          : { [shape]: text };
  const chunk = {
    ...env,
    object: 'chat.completion.chunk',
    choices: shape === 'usage' ? [] : [{ index: 0, delta, finish_reason: shape === 'finish' ? 'stop' : null }],
    ...(shape === 'usage' ? { usage: { prompt_tokens: 1, completion_tokens: 2 } } : {}),
  };
  // Some providers put spaces after colons: then the fragment's literal is not found and JSON.parse reads it.
  return spaced ? JSON.stringify(chunk, null, 1) : JSON.stringify(chunk);
}

describe('ChunkReader', () => {
  it('reads any sequence of chunks as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.array(chunkShape, { minLength: 1, maxLength: 30 }), (shapes) => {
        expectSameAsJsonParse(shapes.map(chunkText));
      }),
      { numRuns: 300 },
    );
  });

  it('reads runs of one envelope with new fragments, escapes and multi-byte text among them', () => {
    fc.assert(
      fc.property(envelope, fc.array(fragment, { minLength: 2, maxLength: 40 }), (env, texts) => {
        expectSameAsJsonParse(texts.map((text) => chunkText(['content', env, text, false])));
        expectSameAsJsonParse(texts.map((text) => chunkText(['arguments', env, text, false])));
      }),
      { numRuns: 200 },
    );
  });

  it('is not fooled by a key that looks like the fragment’s, duplicate keys or an own __proto__', () => {
    const tricky = [
      // The first "content": lies inside another key (its quote is escaped); the delta's key is written escaped.
      (text: string) => `{"choices":[{"delta":{"\\u0063ontent":"fixed"}}],"x\\"content":${JSON.stringify(text)}}`,
      (text: string) => `{"choices":[{"delta":{"content":"first","content":${JSON.stringify(text)}}}]}`,
      (text: string) => `{"choices":[{"delta":{"content":${JSON.stringify(text)},"content":"last"}}]}`,
      (text: string) => `{"__proto__":{"a":1},"choices":[{"delta":{"content":${JSON.stringify(text)}}}]}`,
      (text: string) => `{"choices":[{"delta":{"content" : "fixed"}}],"other":{"content":${JSON.stringify(text)}}}`,
    ];
    // Each run starts with the value the other key holds, so the first literal found matches it.
    for (const make of tricky) expectSameAsJsonParse(['fixed', 'b', 'ccc', 'fixed', '"', 'é', 'dd'].map(make));
  });

  it('parses only the first chunk of a run of one envelope (and once more to prove where the fragment lies)', () => {
    const reader = new ChunkReader();
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (const word of ['Hello', ' wor', 'ld', ' ', 'é', '!']) {
        const bytes = Buffer.from(
          JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: word }, finish_reason: null }] }),
        );
        reader.read(bytes, 0, bytes.length);
      }
      expect(parse).toHaveBeenCalledTimes(2);
    } finally {
      parse.mockRestore();
    }
  });

  it('leaves what is not a JSON object or array to the caller', () => {
    expect(expectSameAsJsonParse(['"text"', '12', 'null', '{bad', '[1,2]', '{"choices":[]}'])).toBe(2);
  });
});
