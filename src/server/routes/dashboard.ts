/**
 * GET /dashboard: one page served by the relay (HTML, script and styles from
 * here, no CDN), its data from /dashboard/api/overview (the GET /v1/usage
 * figures) and /dashboard/api/live, an SSE stream of turns starting and
 * finishing. With a token set, POST /dashboard/session (JSON `{"token"}`,
 * same origin only) sets the HttpOnly SameSite=Strict cookie the data routes
 * accept; GET /dashboard/session says whether the browser has it.
 */
import type { Context } from 'hono';
import { DASHBOARD_CSS, DASHBOARD_HTML } from '../../dashboard/dashboard-page.js';
import { DASHBOARD_SCRIPT } from '../../dashboard/dashboard-script.js';
import { invalidRequest, RelayError } from '../../errors.js';
import type { LiveEvent } from '../../usage/usage-recorder.js';
import type { AppDependencies } from '../dependencies.js';
import { hasSession, sessionCookieHeader } from '../middleware/dashboard-session.js';
import { sameSecret } from '../middleware/require-token.js';
import { readJsonBody } from '../read-json-body.js';

/** The dashboard paths reachable without the token: the page itself holds no data. */
export const DASHBOARD_OPEN_PATHS: ReadonlySet<string> = new Set([
  '/dashboard',
  '/dashboard/dashboard.js',
  '/dashboard/dashboard.css',
  '/dashboard/session',
]);

const PAGE_HEADERS = {
  // Only the relay's own script, styles and data (the empty icon is inline, so the browser asks for no /favicon.ico); never inside another site's frame.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Events a live stream may hold for a browser that does not read them. */
const MAX_QUEUED_EVENTS = 1_000;

/** A comment line that keeps idle proxies from closing the live stream. */
const KEEP_ALIVE_MS = 15_000;

/** GET /dashboard */
export function handleDashboardPage(): Response {
  return new Response(DASHBOARD_HTML, { headers: { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' } });
}

/** GET /dashboard/dashboard.js */
export function handleDashboardScript(): Response {
  return new Response(DASHBOARD_SCRIPT, {
    headers: { ...PAGE_HEADERS, 'content-type': 'text/javascript; charset=utf-8' },
  });
}

/** GET /dashboard/dashboard.css */
export function handleDashboardStyles(): Response {
  return new Response(DASHBOARD_CSS, { headers: { ...PAGE_HEADERS, 'content-type': 'text/css; charset=utf-8' } });
}

/** GET /dashboard/session: whether the page may read the data (so it asks for the token without a failed request first). */
export function handleDashboardSessionState(context: Context, deps: AppDependencies): Response {
  const token = deps.access.authToken;
  return context.json(
    {
      token_required: token !== undefined,
      signed_in: token === undefined || hasSession(context.req.header('cookie'), token),
    },
    200,
    {
      'cache-control': 'no-store',
    },
  );
}

/** POST /dashboard/session: checks the token and sets the session cookie. */
export async function handleDashboardSession(context: Context, deps: AppDependencies): Promise<Response> {
  refuseOtherOrigins(context);
  const body = await readJsonBody(context);
  const token = (body as { token?: unknown } | null)?.token;
  if (typeof body !== 'object' || body === null || typeof token !== 'string')
    throw invalidRequest('Expected a JSON object with the relay token as "token".', 'token');
  const expected = deps.access.authToken;
  if (expected === undefined) return context.body(null, 204);
  if (!sameSecret(token, expected)) {
    throw new RelayError('Incorrect token for this relay.', {
      status: 401,
      type: 'authentication_error',
      code: 'invalid_api_key',
    });
  }
  return context.body(null, 204, { 'set-cookie': sessionCookieHeader(expected) });
}

/** GET /dashboard/api/live: a snapshot of the live list, then every turn that starts or finishes. */
export function handleDashboardLive(context: Context, deps: AppDependencies): Response {
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const write = (text: string) => {
        if (!open) return;
        // A browser that stopped reading is let go (it reconnects and gets a new snapshot) rather than buffered for.
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_EVENTS) {
          end();
          return;
        }
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      const end = () => {
        stop();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      };
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      keepAlive.unref();
      const unsubscribe = deps.usage.subscribe({
        send: (event: LiveEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event.turn)}\n\n`),
        end,
      });
      stop = () => {
        open = false;
        clearInterval(keepAlive);
        unsubscribe();
      };
      context.req.raw.signal.addEventListener('abort', () => stop(), { once: true });
      write(`event: snapshot\ndata: ${JSON.stringify({ turns: deps.usage.liveTurns() })}\n\n`);
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
  });
}

/** A browser sends its page's origin; only the relay's own may log in. */
function refuseOtherOrigins(context: Context): void {
  const origin = context.req.header('origin');
  if (origin === undefined) return;
  const own = new URL(context.req.url);
  const host = context.req.header('host') ?? own.host;
  if (origin !== `${own.protocol}//${host}`) {
    throw new RelayError(`Requests from ${origin.slice(0, 100)} may not log in to this relay's dashboard.`, {
      status: 403,
      type: 'permission_error',
      code: 'origin_not_allowed',
    });
  }
}
