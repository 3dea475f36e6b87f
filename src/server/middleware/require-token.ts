/**
 * Inbound access control: every route except the open ones needs the relay's
 * token, as `Authorization: Bearer <token>` or `x-api-key: <token>`. Tokens
 * are compared in constant time (digests of equal length), so response timing
 * says nothing about how much of a guess was right. A request may also be
 * let in another way (the dashboard's session cookie on its data routes).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { RelayError } from '../../errors.js';

export interface RequireTokenOptions {
  token: string;
  /** Paths that stay reachable without the token (health probes). */
  openPaths: ReadonlySet<string>;
  /** Lets a request without the token in (e.g. with a session cookie). */
  admits?: (request: Request) => boolean;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Whether two secrets are equal, in time that does not depend on where they differ. */
export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token a request presents, if any. */
export function presentedToken(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  return apiKey?.trim() || undefined;
}

/** Rejects requests without the right token with a 401 in the OpenAI error shape. */
export const requireToken = ({ token, openPaths, admits }: RequireTokenOptions): MiddlewareHandler => {
  const expected = digest(token);
  return async function requireTokenMiddleware(context, next) {
    if (openPaths.has(context.req.path)) return next();
    if (admits?.(context.req.raw)) return next();
    const presented = presentedToken(context.req.header('authorization'), context.req.header('x-api-key'));
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new RelayError(
        presented === undefined
          ? 'Missing API key: send the relay token as "Authorization: Bearer <token>" or "x-api-key: <token>".'
          : 'Incorrect API key provided for this relay.',
        { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
      );
    }
    return next();
  };
};
