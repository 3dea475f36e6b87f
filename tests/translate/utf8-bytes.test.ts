/**
 * utf8Bytes encodes long texts through a reused scratch buffer; its bytes
 * must be exactly Buffer.from's for any text, short or long, one after the
 * other (nothing left over from a longer text before), and each result must
 * own its bytes (a later call must not change an earlier result).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../src/translate/utf8-bytes.js';

describe('utf8Bytes', () => {
  it('gives the bytes Buffer.from gives, for texts of any length and characters', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('é', '’', '😀', '\ud800', '\udc00', '"'),
      fc.integer({ min: 1, max: 3000 }).map((count) => 'a'.repeat(count)),
    );
    fc.assert(
      fc.property(fc.array(fc.array(piece, { maxLength: 8 }), { minLength: 1, maxLength: 4 }), (texts) => {
        const results = texts.map((pieces) => {
          const text = pieces.join('');
          return { text, bytes: utf8Bytes(text) };
        });
        for (const { text, bytes } of results) expect(bytes.equals(Buffer.from(text))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('encodes a text longer than the scratch holds directly', () => {
    const text = `${'’'.repeat(700_000)}${'x'.repeat(700_000)}`;
    expect(utf8Bytes(text).equals(Buffer.from(text))).toBe(true);
  });
});
