/**
 * The `response.failed` code sent for each kind of failure: the one that
 * makes Codex do what the user needs (checked against the real releases in
 * tests/e2e/scenarios/failures.ts).
 */
import { describe, expect, it } from 'vitest';
import { classifyUpstreamError, type FailureCode, responseErrorCode } from '../../src/translate/upstream-errors.js';

describe('responseErrorCode', () => {
  it('sends passing trouble as codes Codex retries, and permanent trouble as codes it stops on', () => {
    const expected: Record<FailureCode, string> = {
      // Retried by Codex.
      server_is_overloaded: 'server_error',
      server_error: 'server_error',
      // Waited out ("try again in Ns"), then retried.
      rate_limit_exceeded: 'rate_limit_exceeded',
      // Fatal, with a message.
      context_length_exceeded: 'context_length_exceeded',
      insufficient_quota: 'insufficient_quota',
      authentication: 'invalid_prompt',
      permission: 'invalid_prompt',
      not_found: 'invalid_prompt',
      invalid_request: 'invalid_prompt',
    };
    for (const [code, wire] of Object.entries(expected))
      expect(responseErrorCode({ code: code as FailureCode, message: 'x' }), code).toBe(wire);
  });

  it('stops Codex with the message when trying again cannot help (certificate, proxy refusal)', () => {
    expect(responseErrorCode({ code: 'server_error', message: 'untrusted certificate', retryable: false })).toBe(
      'invalid_prompt',
    );
  });

  it('turns an overload in the middle of a stream into a retryable code', () => {
    const failure = classifyUpstreamError(
      undefined,
      { error: { message: 'upstream overloaded mid-stream', code: 502 } },
      undefined,
      'DeepSeek',
    );
    expect(failure.code).toBe('server_is_overloaded');
    expect(responseErrorCode(failure)).toBe('server_error');
  });
});
