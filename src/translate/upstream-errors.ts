/**
 * Upstream errors → what Codex acts on. Failures are classified by cause
 * (`FailureCode`); `responseErrorCode` then picks the `response.failed` code
 * for the behaviour wanted from Codex: wait and retry on
 * `rate_limit_exceeded` ("try again in Ns" in the message), retry on
 * `server_error`, stop with a message on `context_length_exceeded`,
 * `insufficient_quota` and `invalid_prompt`. Pure.
 */

export type FailureCode =
  | 'context_length_exceeded'
  | 'rate_limit_exceeded'
  | 'insufficient_quota'
  | 'server_is_overloaded'
  | 'server_error'
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found';

export interface UpstreamFailure {
  code: FailureCode;
  /** A message for humans; for rate limits it ends with "try again in Ns". */
  message: string;
  /** The upstream's HTTP status, when the failure came with one. */
  status?: number;
  retryAfterSeconds?: number;
  /** False when trying again cannot help (an untrusted certificate, a proxy refusing credentials). */
  retryable?: false;
}

/**
 * The `response.failed` error code for a failure, chosen by what Codex does
 * with it (checked with the real Codex releases; the table is in
 * docs/operations.md). Codex treats `server_is_overloaded` as "Selected model
 * is at capacity" and stops, so an overload — which passes — is sent as
 * `server_error`, which Codex retries. A request the upstream refuses
 * (key, permission, unknown model, bad request) would fail the same way on
 * every retry: `invalid_prompt` makes Codex stop and show the message.
 */
export function responseErrorCode(
  failure: UpstreamFailure,
): 'context_length_exceeded' | 'rate_limit_exceeded' | 'insufficient_quota' | 'server_error' | 'invalid_prompt' {
  // An untrusted certificate or a proxy refusing the relay fails the same way every time.
  if (failure.retryable === false) return 'invalid_prompt';
  switch (failure.code) {
    case 'context_length_exceeded':
    case 'rate_limit_exceeded':
    case 'insufficient_quota':
      return failure.code;
    case 'server_is_overloaded':
    case 'server_error':
      return 'server_error';
    default:
      return 'invalid_prompt';
  }
}

/** Failures worth another attempt by the relay before any byte reached the client. */
export function isRetryableFailure(failure: UpstreamFailure): boolean {
  if (failure.retryable === false) return false;
  return (
    failure.code === 'rate_limit_exceeded' || failure.code === 'server_is_overloaded' || failure.code === 'server_error'
  );
}

const CONTEXT_PATTERN =
  /context[ _-]?(length|window)|maximum context|context size|too many tokens|prompt is too long|input is too long|reduce the length|exceeds? (the )?(model'?s? )?(maximum|max|context)|token limit|tokens? exceeds?|longer than the model|maximum (input|prompt) length/i;
const QUOTA_PATTERN =
  /insufficient[_ ](balance|quota|credits?|funds)|quota (exceeded|exhausted)|exceeded your (current )?quota|out of credits|payment required|credit balance|account balance|balance is insufficient|billing/i;
const OVERLOAD_PATTERN = /overload|over capacity|at capacity|temporarily unavailable|server is busy|high demand/i;
const RATE_PATTERN = /rate[_ ]?limit|too many requests|requests per (minute|second|day)|tokens per (minute|day)/i;

/** Pulls a human message out of any provider's error body. */
export function extractErrorMessage(body: unknown): string {
  if (typeof body === 'string') return body.trim().slice(0, 2000);
  if (body === null || typeof body !== 'object') return '';
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object') {
    const nested = error as Record<string, unknown>;
    const metadataRaw = (nested.metadata as Record<string, unknown> | undefined)?.raw;
    const base = typeof nested.message === 'string' ? nested.message : '';
    if (typeof metadataRaw === 'string' && metadataRaw !== '' && !base.includes(metadataRaw)) {
      return base ? `${base} (${metadataRaw.slice(0, 1000)})` : metadataRaw.slice(0, 1000);
    }
    if (base) return base;
  }
  if (typeof record.message === 'string') return record.message;
  if (typeof record.detail === 'string') return record.detail;
  if (Array.isArray(record.detail)) return JSON.stringify(record.detail).slice(0, 2000);
  return JSON.stringify(body).slice(0, 2000);
}

function errorCodeFields(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  const record = body as Record<string, unknown>;
  const error = (typeof record.error === 'object' && record.error !== null ? record.error : record) as Record<
    string,
    unknown
  >;
  return [error.code, error.type, record.code, record.type]
    .filter((value) => typeof value === 'string' || typeof value === 'number')
    .join(' ');
}

/**
 * Classifies an upstream error. `status` is undefined for an error that arrived
 * inside a stream after HTTP 200.
 */
export function classifyUpstreamError(
  status: number | undefined,
  body: unknown,
  retryAfterSeconds: number | undefined,
  providerName: string,
): UpstreamFailure {
  const upstreamMessage = extractErrorMessage(body) || (status ? `HTTP ${status}` : 'unknown error');
  const codes = errorCodeFields(body);
  const text = `${codes} ${upstreamMessage}`;
  const delay = retryAfterSeconds ?? parseRetryDelay(upstreamMessage);
  const base = (code: FailureCode, message: string): UpstreamFailure => {
    const failure: UpstreamFailure = { code, message };
    if (status !== undefined) failure.status = status;
    return failure;
  };

  if (
    /context_length_exceeded/.test(codes) ||
    ((status === undefined || status === 400 || status === 413 || status === 422) && CONTEXT_PATTERN.test(text))
  ) {
    return base(
      'context_length_exceeded',
      `The conversation is too long for the model (${providerName}): ${upstreamMessage}`,
    );
  }
  if (status === 402 || /insufficient_quota/.test(codes) || QUOTA_PATTERN.test(text)) {
    return base('insufficient_quota', `The ${providerName} account has no quota or balance left: ${upstreamMessage}`);
  }
  if (status === 429 || /rate_limit/.test(codes) || RATE_PATTERN.test(text)) {
    const seconds = delay ?? 1;
    const sentence = upstreamMessage.replace(/[\s.]+$/, '');
    const failure = base(
      'rate_limit_exceeded',
      `Rate limit reached at ${providerName}: ${sentence}. Please try again in ${formatSeconds(seconds)}s.`,
    );
    failure.retryAfterSeconds = seconds;
    return failure;
  }
  if (status === 503 || status === 529 || /overloaded/.test(codes) || OVERLOAD_PATTERN.test(text)) {
    const failure = base('server_is_overloaded', `${providerName} is overloaded: ${upstreamMessage}`);
    if (delay !== undefined) failure.retryAfterSeconds = delay;
    return failure;
  }
  if (status === 401) return base('authentication', `${providerName} rejected the API key: ${upstreamMessage}`);
  if (status === 403) return base('permission', `${providerName} refused the request: ${upstreamMessage}`);
  if (status === 404) return base('not_found', `${providerName} answered 404: ${upstreamMessage}`);
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409) {
    return base('invalid_request', `${providerName} rejected the request: ${upstreamMessage}`);
  }
  const failure = base('server_error', `${providerName} failed: ${upstreamMessage}`);
  if (delay !== undefined) failure.retryAfterSeconds = delay;
  return failure;
}

/** Reads "try again in 1.5s", "retry after 20 seconds", "retry in 300ms" from a message. */
export function parseRetryDelay(message: string): number | undefined {
  const match =
    /(?:try again|retry)(?: after| in)?\s*(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?|m|minutes?)\b/i.exec(
      message,
    );
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  if (unit.startsWith('ms') || unit.startsWith('milli')) return value / 1000;
  if (unit === 'm' || unit.startsWith('min')) return value * 60;
  return value;
}

/** Reads Retry-After (seconds or an HTTP date) and retry-after-ms headers. */
export function parseRetryAfterHeaders(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | undefined {
  const milliseconds = headerValue(headers['retry-after-ms']);
  if (milliseconds !== undefined && /^\d+(\.\d+)?$/.test(milliseconds)) return Number(milliseconds) / 1000;
  const value = headerValue(headers['retry-after']);
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function formatSeconds(seconds: number): string {
  return Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(3).replace(/0+$/, '');
}
