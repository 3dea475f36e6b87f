/**
 * A turn that fails before its stream began answers with an HTTP error: the
 * status a client acts on (429 and 529 are retried by some), shaped by the
 * app's one error renderer.
 */
import { RelayError } from '../errors.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import type { TurnEnding } from './turn-lifecycle.js';

/** Ends the turn as the HTTP error its failure becomes, and returns that error to throw. */
export function endWithHttpError(endTurn: (ending: TurnEnding) => void, failure: UpstreamFailure): RelayError {
  const error = failureToHttpError(failure);
  endTurn({ status: 'failed', failure, httpStatus: error.status });
  return error;
}

/** The HTTP error for a failure reported outside a stream. */
export function failureToHttpError(failure: UpstreamFailure): RelayError {
  switch (failure.code) {
    case 'context_length_exceeded':
      return new RelayError(failure.message, { status: 400, type: 'invalid_request_error', code: failure.code });
    case 'rate_limit_exceeded':
      return new RelayError(failure.message, {
        status: 429,
        type: 'rate_limit_error',
        code: failure.code,
        ...(failure.retryAfterSeconds !== undefined ? { retryAfterSeconds: Math.ceil(failure.retryAfterSeconds) } : {}),
      });
    case 'insufficient_quota':
      return new RelayError(failure.message, { status: 429, type: 'rate_limit_error', code: failure.code });
    case 'server_is_overloaded':
      return new RelayError(failure.message, { status: 503, type: 'server_error', code: failure.code });
    case 'server_error':
      return new RelayError(failure.message, { status: 502, type: 'upstream_error', code: failure.code });
    case 'authentication':
      return new RelayError(failure.message, {
        status: failure.status ?? 401,
        type: 'authentication_error',
        code: 'upstream_authentication_failed',
      });
    case 'permission':
      return new RelayError(failure.message, {
        status: failure.status ?? 403,
        type: 'permission_error',
        code: 'upstream_permission_denied',
      });
    case 'not_found':
      return new RelayError(failure.message, {
        status: 404,
        type: 'invalid_request_error',
        code: 'upstream_not_found',
      });
    case 'invalid_request':
      return new RelayError(failure.message, {
        status: 400,
        type: 'invalid_request_error',
        code: 'upstream_rejected_request',
      });
    default: {
      const exhaustive: never = failure.code;
      return new RelayError(String(exhaustive), { status: 502, type: 'upstream_error' });
    }
  }
}
