/**
 * Gives every request its logger (carrying the request id) and, when the
 * reply is out, counts it in the metrics and writes one `request finished`
 * line. A response turn does both itself when its last byte is out (see
 * turn-lifecycle.ts), since a stream outlives this middleware.
 */
import type { MiddlewareHandler } from 'hono';
import { RelayError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { RelayMetrics } from '../../observability/metrics.js';
import type { RelayEnv } from '../relay-env.js';
import { PROBE_PATHS, routeLabel } from '../route-table.js';

export interface ObserveRequestsOptions {
  logger: Logger;
  metrics: RelayMetrics;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export const observeRequests = ({ logger, metrics, now }: ObserveRequestsOptions): MiddlewareHandler<RelayEnv> =>
  async function observeRequestsMiddleware(context, next) {
    const startedAt = now();
    const log = logger.child({ requestId: context.get('requestId') });
    context.set('log', log);
    await next();
    if (context.get('turn')) return;
    const status = context.res.status;
    const labels = context.get('labels');
    metrics.requests.inc({
      route: routeLabel(context.req.path),
      provider: labels?.provider ?? '',
      model: labels?.model ?? '',
      status: String(status),
    });
    // Error messages can quote the request (a JSON parse error does), so only their code is logged.
    const error =
      context.error instanceof RelayError ? { errorCode: context.error.code, errorParam: context.error.param } : {};
    const fields = { method: context.req.method, path: context.req.path, status, ms: now() - startedAt, ...error };
    if (status >= 500) log.error(fields, 'request finished');
    else if (PROBE_PATHS.has(context.req.path) || context.req.path === '/metrics')
      log.debug(fields, 'request finished');
    else log.info(fields, 'request finished');
  };
