/**
 * The dashboard's session cookie: after the token was entered once, the
 * browser keeps an HttpOnly SameSite=Strict cookie scoped to /dashboard. Its
 * value is derived from the token (never the token itself), so it changes
 * when the token does; it opens the dashboard's data routes only.
 */
import { createHmac } from 'node:crypto';
import { sameSecret } from './require-token.js';

export const DASHBOARD_COOKIE = 'relay_dashboard';

/** Paths the cookie opens: the dashboard's data. */
export const DASHBOARD_DATA_PREFIX = '/dashboard/api/';

/** The cookie value that stands for `token`. */
export function sessionCookieValue(token: string): string {
  return createHmac('sha256', token).update('responses-relay dashboard session').digest('base64url');
}

/** The Set-Cookie header for a session (a day long; entered again after that). */
export function sessionCookieHeader(token: string): string {
  return `${DASHBOARD_COOKIE}=${sessionCookieValue(token)}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=86400`;
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** Whether a Cookie header carries the session cookie for `token` (compared in constant time). */
export function hasSession(cookieHeader: string | undefined, token: string): boolean {
  const session = readCookie(cookieHeader, DASHBOARD_COOKIE);
  return session !== undefined && sameSecret(session, sessionCookieValue(token));
}

/** Whether a request may read the dashboard's data with its session cookie. */
export function admitsDashboardSession(token: string): (request: Request) => boolean {
  return (request) =>
    new URL(request.url).pathname.startsWith(DASHBOARD_DATA_PREFIX) &&
    hasSession(request.headers.get('cookie') ?? undefined, token);
}
