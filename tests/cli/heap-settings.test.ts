import { describe, expect, it } from 'vitest';
import { applyHeapSettings } from '../../src/cli/heap-settings.js';

describe('the relay heap growth setting', () => {
  it('leaves a growth step given to node on the command line alone', () => {
    expect(applyHeapSettings(['--max-old-space-size=512', '--heap-growing-percent=30'])).toBe(false);
    expect(applyHeapSettings(['--heap_growing_percent=0'])).toBe(false);
  });

  it('applies its own step otherwise', () => {
    expect(applyHeapSettings(['--max-old-space-size=512', '--heap-growing-percentage-is-not-a-flag'])).toBe(true);
    expect(applyHeapSettings([])).toBe(true);
  });
});
