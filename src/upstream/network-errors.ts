/** Transport failures (refused connection, timeouts, resets) as upstream failures. */
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import { describeCertificateProblem } from './certificate-problems.js';

/**
 * The reason the relay itself gives when it stops an upstream request: the
 * total timeout ran out, or the relay is shutting down. It is the abort
 * reason of the request's signal, so undici throws it from wherever the turn
 * is waiting, and the turn ends with the failure it carries.
 */
export class CutOffError extends Error {
  readonly failure: UpstreamFailure;
  readonly kind: 'total-timeout' | 'shutdown';

  constructor(failure: UpstreamFailure, kind: 'total-timeout' | 'shutdown') {
    super(failure.message);
    this.name = 'CutOffError';
    this.failure = failure;
    this.kind = kind;
  }
}

/** A failure already classified, thrown through a stream of upstream data (no upstream answered, or one answered with an error). */
export class UpstreamFailedError extends Error {
  readonly failure: UpstreamFailure;

  constructor(failure: UpstreamFailure) {
    super(failure.message);
    this.name = 'UpstreamFailedError';
    this.failure = failure;
  }
}

/** Describes a thrown transport error in words a user can act on. */
export function failureFromNetworkError(error: unknown, providerName: string, host = providerName): UpstreamFailure {
  if (error instanceof CutOffError || error instanceof UpstreamFailedError) return error.failure;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const certificate = describeCertificateProblem(error, host);
  if (certificate)
    return {
      code: 'server_error',
      message: `Could not reach ${providerName}: ${certificate.problem}. Fix: ${certificate.fix}.`,
      retryable: false,
    };
  const proxyStatus = proxyRefusalStatus(error);
  if (proxyStatus !== undefined) {
    const hint =
      proxyStatus === '407'
        ? 'check the user name and password in the proxy URL'
        : 'check --upstream-proxy (or HTTPS_PROXY) and whether the proxy allows this host';
    return {
      code: 'server_error',
      message: `The proxy refused to connect to ${providerName} (HTTP ${proxyStatus}): ${hint}.`,
      retryable: false,
    };
  }
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
      return { code: 'server_error', message: `${providerName} did not start answering in time (${message}).` };
    case 'UND_ERR_BODY_TIMEOUT':
      return { code: 'server_error', message: `${providerName} went silent in the middle of the answer (${message}).` };
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
      return { code: 'server_error', message: `Could not reach ${providerName} (${String(code)}: ${message}).` };
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE':
      return {
        code: 'server_error',
        message: `${providerName} closed the connection in the middle of the answer (${message}).`,
      };
    default:
      return { code: 'server_error', message: `The request to ${providerName} failed: ${message}` };
  }
}

/** The status a forward proxy refused a CONNECT tunnel with (undici reports it only in the message), if that is the error. */
export function proxyRefusalStatus(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /^Proxy response \((\d+)\)/.exec(message)?.[1];
}
