/**
 * Once a shutdown has begun, new work is turned away with a 503 (and the
 * connection closed) so clients retry against the next relay; health probes
 * still answer, and /readyz says the relay is going away.
 */
import type { MiddlewareHandler } from 'hono';
import { RelayError } from '../../errors.js';
import type { RelayEnv } from '../relay-env.js';
import { PROBE_PATHS } from '../route-table.js';

export const refuseWhileDraining = (isDraining: () => boolean): MiddlewareHandler<RelayEnv> =>
  async function refuseWhileDrainingMiddleware(context, next) {
    if (!isDraining() || PROBE_PATHS.has(context.req.path)) return next();
    context.header('connection', 'close');
    throw new RelayError('The relay is shutting down; send the request again in a moment.', {
      status: 503,
      type: 'server_error',
      code: 'server_shutting_down',
      retryAfterSeconds: 1,
    });
  };
