import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED } from '../../src/observability/redact.js';

describe('createRedactor', () => {
  it('replaces every occurrence of every secret, the longest first', () => {
    const redact = createRedactor(['sk-abcdef123456', 'sk-abcdef123456-extended', undefined]);
    expect(redact('key sk-abcdef123456-extended and sk-abcdef123456, twice: sk-abcdef123456')).toBe(
      `key ${REDACTED} and ${REDACTED}, twice: ${REDACTED}`,
    );
  });

  it('leaves short values alone, since replacing them would mangle ordinary words', () => {
    const redact = createRedactor(['local', '']);
    expect(redact('listening on localhost')).toBe('listening on localhost');
  });

  it('keeps a JSON log line valid JSON', () => {
    const redact = createRedactor(['token-0123456789']);
    const line = JSON.stringify({ msg: 'failed', failureMessage: 'bad key token-0123456789' });
    expect(JSON.parse(redact(line)).failureMessage).toBe(`bad key ${REDACTED}`);
  });
});
