/**
 * SseText makes the UTF-8 bytes of a piece from runs marked ASCII or not;
 * they must be exactly what Buffer.from gives for the whole text, whatever
 * the text (lone surrogates included) and however it was cut.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAscii, SseText } from '../../src/server/sse-text.js';

describe('SseText', () => {
  it('gives the bytes and text of everything appended, in order', () => {
    const part = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.string({ maxLength: 20 }),
      fc.constantFrom('', 'é', '’', '😀', '\ud800', 'x'.repeat(5000)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(part, fc.boolean()), { maxLength: 12 }), (parts) => {
        const text = new SseText();
        // A part may be marked as not ASCII when it is, never the other way round.
        for (const [value, markAscii] of parts) text.append(value, markAscii && isAscii(value));
        const whole = parts.map(([value]) => value).join('');
        expect(text.toString()).toBe(whole);
        expect(text.length).toBe(whole.length);
        expect(text.toBytes().equals(Buffer.from(whole))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('knows ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (value) => {
        expect(isAscii(value)).toBe([...value].every((character) => character.charCodeAt(0) < 0x80));
      }),
    );
    expect(isAscii('plain text, "quoted"\n')).toBe(true);
    expect(isAscii('caf\u00e9')).toBe(false);
  });
});
