import { describe, expect, it } from 'vitest';
import { renderCompatibilityMatrix, splitTransport } from './compatibility-matrix.js';

describe('compatibility matrix', () => {
  it('puts releases in version order as columns and scenarios in run order as rows', () => {
    const markdown = renderCompatibilityMatrix(
      [
        { version: '0.169.0', scenario: 'plain answer', transport: 'HTTP', state: 'passed' },
        { version: '0.99.0', scenario: 'plain answer', transport: 'HTTP', state: 'failed' },
        { version: '0.169.0', scenario: 'a | b', transport: 'HTTP', state: 'passed' },
        { version: '0.169.0', scenario: 'plain answer', transport: 'WebSocket', state: 'passed' },
      ],
      { date: '2026-01-02', environment: 'Node v20.20.0, linux x64' },
    );
    expect(markdown).toContain('on 2026-01-02 (Node v20.20.0, linux x64): 3 of 4 passed.');
    expect(markdown).toContain('| Scenario | Transport | Codex 0.99.0 | Codex 0.169.0 |');
    expect(markdown).toContain(
      '| plain answer | HTTP | ❌ fail | ✅ pass |\n| plain answer | WebSocket | – not run | ✅ pass |',
    );
    expect(markdown).toContain('| a \\| b | HTTP | – not run | ✅ pass |');
    expect(markdown).toContain('| *proven on* | | 2026-01-02 | 2026-01-02 |');
    expect(markdown.indexOf('plain answer')).toBeLessThan(markdown.indexOf('a \\| b'));
  });

  it('reads the transport from the test title', () => {
    expect(splitTransport('plain answer (WebSocket)')).toEqual({ scenario: 'plain answer', transport: 'WebSocket' });
    expect(splitTransport('plain answer')).toEqual({ scenario: 'plain answer', transport: 'HTTP' });
  });
});
