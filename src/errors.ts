/**
 * One error hierarchy for the whole relay. Every failure a client can see is a
 * RelayError, rendered in one place as the OpenAI error shape
 * `{error:{message,type,param,code}}`.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'
  | 'upstream_error';

export interface RelayErrorOptions {
  status: number;
  type: ErrorType;
  code?: string | null;
  param?: string | null;
  /** Seconds a client should wait before retrying (sent as Retry-After). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/** An error with an HTTP status and the OpenAI error fields. */
export class RelayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options: RelayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RelayError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** 400 for a request the relay cannot accept, naming the offending parameter. */
export function invalidRequest(message: string, param: string | null = null, code: string | null = null): RelayError {
  return new RelayError(message, { status: 400, type: 'invalid_request_error', param, code });
}

/** 404 in the OpenAI shape. */
export function notFound(message: string, code: string | null = null, param: string | null = null): RelayError {
  return new RelayError(message, { status: 404, type: 'invalid_request_error', code, param });
}

/** The JSON body of an error response. */
export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Renders any thrown value as the OpenAI error body and an HTTP status. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody; retryAfterSeconds?: number } {
  if (error instanceof RelayError) {
    const result: { status: number; body: ErrorBody; retryAfterSeconds?: number } = {
      status: error.status,
      body: { error: { message: error.message, type: error.type, param: error.param, code: error.code } },
    };
    if (error.retryAfterSeconds !== undefined) result.retryAfterSeconds = error.retryAfterSeconds;
    return result;
  }
  return {
    status: 500,
    body: {
      error: { message: 'The relay hit an internal error.', type: 'server_error', param: null, code: 'internal_error' },
    },
  };
}
