/** Transport failures (refused connection, timeouts, resets) as upstream failures. */
import type { UpstreamFailure } from '../translate/upstream-errors.js';

/** Describes a thrown transport error in words a user can act on. */
export function failureFromNetworkError(error: unknown, providerName: string): UpstreamFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
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
      return { code: 'server_error', message: `${providerName} closed the connection in the middle of the answer (${message}).` };
    default:
      return { code: 'server_error', message: `The request to ${providerName} failed: ${message}` };
  }
}
