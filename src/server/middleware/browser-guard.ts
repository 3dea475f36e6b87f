/**
 * Browser protections. The relay listens on loopback without a token, and a
 * web page in the user's browser is on loopback too; these checks keep such
 * a page from spending the user's provider key or reading stored responses:
 *
 * - a request with an `Origin` header (only browsers send one) is refused
 *   unless that origin is allowed (`--allow-origin`); an allowed origin gets
 *   CORS headers, and its preflight (`OPTIONS`) is answered;
 * - the `Host` header must name this machine (loopback names, the bind
 *   address, `--allow-host`), which defeats DNS rebinding: a page whose name
 *   resolves to 127.0.0.1 still sends its own name as Host;
 * - POST bodies must be `application/json`: the "simple" content types
 *   (text/plain, forms) are the ones a page may send cross-site without a
 *   preflight.
 *
 * The relay's own pages (the dashboard) are same-origin: their Origin is
 * `http://<Host>` with a Host that passed the check, so they are let through.
 *
 * Codex, the SDKs and curl send no Origin and a loopback Host, so none of
 * this changes anything for them. `checkBrowserAccess` works on plain header
 * values so a WebSocket upgrade can apply the same rule.
 */
import type { MiddlewareHandler } from 'hono';
import { RelayError } from '../../errors.js';
import { allowedMethods } from '../route-table.js';

export interface BrowserAccessPolicy {
  /** Origins allowed to call the relay from a browser (`scheme://host[:port]`); `*` allows any. */
  allowOrigins: readonly string[];
  /** Extra names the Host header may carry (a reverse proxy's name); `*` turns the Host check off. */
  allowHosts: readonly string[];
  /** The address the relay listens on; clients may name it. */
  bindHost?: string | undefined;
}

/** Names every loopback client may use. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Addresses that mean "every interface": no client sends them as Host. */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '[::]']);

/** Paths exempt from the checks (health probes carry the prober's idea of the Host and reveal nothing). */
export interface BrowserGuardOptions extends BrowserAccessPolicy {
  openPaths: ReadonlySet<string>;
}

/** `Origin` as compared: lower case, no trailing slash. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}

/** The host name of a Host header or an address: lower case, no port, IPv6 in brackets, no trailing dot. */
export function hostName(value: string): string {
  const text = value.trim().toLowerCase();
  if (text.startsWith('[')) return text.slice(0, text.indexOf(']') + 1);
  // A bare IPv6 address (a bind address such as ::1) has several colons and no port.
  if (text.split(':').length > 2) return `[${text}]`;
  return text.replace(/:\d*$/, '').replace(/\.$/, '');
}

/** True when `origin` may call the relay. */
export function isOriginAllowed(origin: string, policy: Pick<BrowserAccessPolicy, 'allowOrigins'>): boolean {
  const wanted = normalizeOrigin(origin);
  return policy.allowOrigins.some((allowed) => allowed === '*' || normalizeOrigin(allowed) === wanted);
}

/** True when `origin` is the relay itself as the browser reached it (a page the relay served). */
export function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const wanted = normalizeOrigin(origin);
  const self = host.trim().toLowerCase();
  return wanted === `http://${self}` || wanted === `https://${self}`;
}

/** True when the Host header names this machine (or the check is off). A request without Host is not from a browser. */
export function isHostAllowed(host: string | undefined, policy: Omit<BrowserAccessPolicy, 'allowOrigins'>): boolean {
  if (host === undefined || policy.allowHosts.includes('*')) return true;
  const name = hostName(host);
  if (LOOPBACK_NAMES.includes(name)) return true;
  if (
    policy.bindHost !== undefined &&
    !WILDCARD_ADDRESSES.has(hostName(policy.bindHost)) &&
    hostName(policy.bindHost) === name
  )
    return true;
  return policy.allowHosts.some((allowed) => hostName(allowed) === name);
}

/** The error for a request a browser page may not make, or undefined when it may proceed. */
export function checkBrowserAccess(
  headers: { origin?: string | undefined; host?: string | undefined },
  policy: BrowserAccessPolicy,
): RelayError | undefined {
  if (!isHostAllowed(headers.host, policy)) {
    return new RelayError(
      `The Host header "${headers.host}" does not name this relay, so the request was refused (it could come from a web page using DNS rebinding). Use localhost or 127.0.0.1; behind a reverse proxy, the relay's operator can allow the name with --allow-host.`,
      { status: 421, type: 'invalid_request_error', code: 'host_not_allowed' },
    );
  }
  if (
    headers.origin !== undefined &&
    !isOriginAllowed(headers.origin, policy) &&
    !isSameOrigin(headers.origin, headers.host)
  ) {
    return new RelayError(
      `Requests from the web origin "${headers.origin}" are not allowed: a web page may not use this relay. The relay's operator can allow an origin with --allow-origin.`,
      { status: 403, type: 'invalid_request_error', code: 'origin_not_allowed' },
    );
  }
  return undefined;
}

const CORS_METHODS = 'GET, POST, DELETE, OPTIONS';
const CORS_MAX_AGE_SECONDS = '600';

/**
 * Refuses foreign origins and hosts; answers the preflight of an allowed
 * origin and marks its responses readable by it. A refused preflight gets no
 * CORS header, so the browser never sends the request.
 */
export const guardBrowserAccess = (options: BrowserGuardOptions): MiddlewareHandler => {
  return async function browserGuardMiddleware(context, next) {
    if (options.openPaths.has(context.req.path)) return next();
    const origin = context.req.header('origin');
    const refusal = checkBrowserAccess({ origin, host: context.req.header('host') }, options);
    if (refusal) throw refusal;
    if (origin === undefined) return next();
    if (context.req.method === 'OPTIONS') {
      return context.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': CORS_METHODS,
        'access-control-allow-headers':
          context.req.header('access-control-request-headers') ?? 'authorization, content-type',
        'access-control-max-age': CORS_MAX_AGE_SECONDS,
        vary: 'Origin',
      });
    }
    await next();
    context.header('access-control-allow-origin', origin);
    context.header('vary', 'Origin');
  };
};

/** True for `application/json`, with or without parameters (charset). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** Refuses POST bodies that are not JSON with a 415, before they are read (a POST where none is served stays a 405/404). */
export const requireJsonBody = (): MiddlewareHandler => {
  return async function requireJsonBodyMiddleware(context, next) {
    if (context.req.method !== 'POST' || !allowedMethods(context.req.path)?.includes('POST')) return next();
    const contentType = context.req.header('content-type');
    if (!isJsonContentType(contentType)) {
      throw new RelayError(
        `The request body must be JSON sent as "Content-Type: application/json"; got ${contentType === undefined ? 'no Content-Type' : `"${contentType}"`}.`,
        { status: 415, type: 'invalid_request_error', code: 'unsupported_media_type' },
      );
    }
    return next();
  };
};
