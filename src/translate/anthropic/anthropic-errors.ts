/**
 * Errors in Anthropic's shape, `{"type":"error","error":{"type","message"}}`,
 * with the statuses Claude Code and Anthropic's SDK act on: 429 and 529
 * (overloaded) are retried, honouring `retry-after`. Pure.
 */
import { toErrorBody } from '../../errors.js';
import type { UpstreamFailure } from '../upstream-errors.js';

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
}

/** Anthropic's status for an overloaded service; its clients retry it. */
export const OVERLOADED_STATUS = 529;

/**
 * Claude Code compacts the conversation when an error says the prompt is too
 * long, so a context overflow is worded that way.
 */
const PROMPT_TOO_LONG = 'prompt is too long';

/** Renders any thrown value as Anthropic's error body and status. */
export function toAnthropicErrorBody(error: unknown): {
  status: number;
  body: AnthropicErrorBody;
  retryAfterSeconds?: number;
} {
  const { status: openAiStatus, body, retryAfterSeconds } = toErrorBody(error);
  const status = openAiStatus === 503 ? OVERLOADED_STATUS : openAiStatus;
  let message = body.error.message;
  if (body.error.code === 'context_length_exceeded' && !message.toLowerCase().startsWith(PROMPT_TOO_LONG))
    message = `${PROMPT_TOO_LONG}: ${message}`;
  const result: { status: number; body: AnthropicErrorBody; retryAfterSeconds?: number } = {
    status,
    body: { type: 'error', error: { type: errorTypeForStatus(status), message } },
  };
  if (retryAfterSeconds !== undefined) result.retryAfterSeconds = retryAfterSeconds;
  return result;
}

/** The `error` event that ends a stream which failed after it began. */
export function streamErrorEvent(failure: UpstreamFailure, message: string): AnthropicErrorBody {
  const type: AnthropicErrorType =
    failure.code === 'rate_limit_exceeded' || failure.code === 'insufficient_quota'
      ? 'rate_limit_error'
      : failure.code === 'server_is_overloaded'
        ? 'overloaded_error'
        : failure.code === 'context_length_exceeded' || failure.code === 'invalid_request'
          ? 'invalid_request_error'
          : failure.code === 'authentication'
            ? 'authentication_error'
            : failure.code === 'permission'
              ? 'permission_error'
              : failure.code === 'not_found'
                ? 'not_found_error'
                : 'api_error';
  const text =
    failure.code === 'context_length_exceeded' && !message.toLowerCase().startsWith(PROMPT_TOO_LONG)
      ? `${PROMPT_TOO_LONG}: ${message}`
      : message;
  return { type: 'error', error: { type, message: text } };
}

function errorTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case OVERLOADED_STATUS:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
