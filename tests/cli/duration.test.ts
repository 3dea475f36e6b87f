import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/duration.js';

describe('parseDuration', () => {
  it('reads units, combinations and bare seconds', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('3600')).toBe(3_600_000);
    expect(parseDuration(' 7D ')).toBe(7 * 86_400_000);
  });

  it('rejects what is not a positive duration', () => {
    for (const text of ['', '7x', 'd', '-1d', '0', '0s', '7 days', '1h-30m', 'Infinityd'])
      expect(parseDuration(text)).toBeUndefined();
  });
});
