import { describe, expect, it } from 'vitest';
import { renderCompatibilityMatrix } from './compatibility-matrix.js';

describe('compatibility matrix', () => {
  it('puts releases in version order as columns and scenarios in run order as rows', () => {
    const markdown = renderCompatibilityMatrix(
      [
        { version: '0.169.0', scenario: 'plain answer', state: 'passed' },
        { version: '0.99.0', scenario: 'plain answer', state: 'failed' },
        { version: '0.169.0', scenario: 'a | b', state: 'passed' },
      ],
      { date: '2026-01-02', environment: 'Node v20.20.0, linux x64' },
    );
    expect(markdown).toContain('on 2026-01-02 (Node v20.20.0, linux x64): 2 of 3 passed.');
    expect(markdown).toContain('| Scenario | Codex 0.99.0 | Codex 0.169.0 |');
    expect(markdown).toContain('| plain answer | ❌ fail | ✅ pass |');
    expect(markdown).toContain('| *proven on* | 2026-01-02 | 2026-01-02 |');
    expect(markdown).toContain('| a \\| b | – not run | ✅ pass |');
    expect(markdown.indexOf('plain answer')).toBeLessThan(markdown.indexOf('a \\| b'));
  });
});
