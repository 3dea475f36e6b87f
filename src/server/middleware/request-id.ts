/**
 * A request id on every request: the client's `x-request-id` when it sent a
 * sane one, otherwise a new one. It is echoed in the reply and put on every
 * log line about the request.
 */
import type { MiddlewareHandler } from 'hono';
import type { RelayEnv } from '../relay-env.js';

const ACCEPTABLE_ID = /^[\x21-\x7e]{1,200}$/;

export const requestId = (createId: () => string): MiddlewareHandler<RelayEnv> =>
  async function requestIdMiddleware(context, next) {
    const incoming = context.req.header('x-request-id');
    const id = incoming !== undefined && ACCEPTABLE_ID.test(incoming) ? incoming : createId();
    context.set('requestId', id);
    await next();
    // Set on the finished reply, so a Response a handler built itself and an error rendered
    // by onError carry it too. Setting a header rebuilds a finished Response, so a reply that
    // carries the id already (a streamed turn's) is left as it is.
    if (context.res.headers.get('x-request-id') !== id) context.header('x-request-id', id);
  };
