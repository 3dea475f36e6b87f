import { describe, expect, it } from 'vitest';
import { classifyUpstreamError, parseRetryDelay } from '../../src/translate/upstream-errors.js';

describe('rate limit failures', () => {
  it('read as one sentence when the provider message ends with a period', () => {
    const failure = classifyUpstreamError(
      429,
      { error: { message: 'Rate limit reached for requests per minute.' } },
      2,
      'DeepSeek',
    );
    expect(failure.code).toBe('rate_limit_exceeded');
    expect(failure.message).toBe(
      'Rate limit reached at DeepSeek: Rate limit reached for requests per minute. Please try again in 2s.',
    );
    expect(parseRetryDelay(failure.message)).toBe(2);
  });
});
