/**
 * createApp(deps): the HTTP surface of the relay, built from injected parts.
 * Only the CLI binds it to a port.
 *
 * Every request passes, in order: a request id; its logger and metrics; a 503
 * once a shutdown has begun; the relay's token (when one is set; health
 * probes stay open); the browser protections (Origin, Host, JSON bodies);
 * the body size limit; then its route.
 */
import { Hono } from 'hono';
import { RelayError, toErrorBody } from '../errors.js';
import { toAnthropicErrorBody } from '../translate/anthropic/anthropic-errors.js';
import type { AppDependencies } from './dependencies.js';
import { guardBrowserAccess, requireJsonBody } from './middleware/browser-guard.js';
import { admitsDashboardSession } from './middleware/dashboard-session.js';
import { limitBody } from './middleware/limit-body.js';
import { observeRequests } from './middleware/observe-requests.js';
import { refuseWhileDraining } from './middleware/refuse-while-draining.js';
import { requestId } from './middleware/request-id.js';
import { requireToken } from './middleware/require-token.js';
import type { RelayEnv } from './relay-env.js';
import { allowedMethods, isAnthropicPath, PROBE_PATHS } from './route-table.js';
import { handleChatCompletion } from './routes/chat-completions.js';
import { handleCompactResponse } from './routes/compact.js';
import {
  DASHBOARD_OPEN_PATHS,
  handleDashboardLive,
  handleDashboardPage,
  handleDashboardScript,
  handleDashboardSession,
  handleDashboardSessionState,
  handleDashboardStyles,
} from './routes/dashboard.js';
import { handleHealth, handleMetrics, handleReady } from './routes/health.js';
import { handleInputTokens } from './routes/input-tokens.js';
import { handleCountTokens, handleCreateMessage } from './routes/messages.js';
import { handleListModels } from './routes/models.js';
import { handleCreateResponse } from './routes/responses.js';
import { handleDeleteResponse, handleGetResponse, handleListInputItems } from './routes/stored-responses.js';
import { handleUsage, handleUsageOverview } from './routes/usage.js';

/** Builds the app. */
export function createApp(deps: AppDependencies): Hono<RelayEnv> {
  const app = new Hono<RelayEnv>();

  app.use(requestId(() => deps.createId('req')));
  app.use(observeRequests(deps));
  app.use(refuseWhileDraining(() => deps.turns.draining));
  app.use(guardBrowserAccess({ ...deps.access.browser, openPaths: PROBE_PATHS }));
  const token = deps.access.authToken;
  // The dashboard page holds no data; its data routes also take its session cookie.
  if (token !== undefined)
    app.use(
      requireToken({
        token,
        openPaths: new Set([...PROBE_PATHS, ...DASHBOARD_OPEN_PATHS]),
        admits: admitsDashboardSession(token),
      }),
    );
  app.use(requireJsonBody());
  app.use(limitBody(deps.access.maxBodyBytes));

  app.post('/v1/responses', (context) => handleCreateResponse(context, deps));
  app.post('/v1/responses/input_tokens', (context) => handleInputTokens(context, deps));
  app.post('/v1/responses/compact', (context) => handleCompactResponse(context, deps));
  app.post('/v1/messages', (context) => handleCreateMessage(context, deps));
  app.post('/v1/messages/count_tokens', (context) => handleCountTokens(context, deps));
  app.post('/v1/chat/completions', (context) => handleChatCompletion(context, deps));
  app.get('/v1/responses/:id', (context) => handleGetResponse(context, deps));
  app.delete('/v1/responses/:id', (context) => handleDeleteResponse(context, deps));
  app.get('/v1/responses/:id/input_items', (context) => handleListInputItems(context, deps));
  app.get('/v1/models', (context) => handleListModels(context, deps));
  app.get('/healthz', (context) => handleHealth(context));
  app.get('/readyz', (context) => handleReady(context, deps));
  app.get('/metrics', (context) => handleMetrics(context, deps));
  app.get('/v1/usage', (context) => handleUsage(context, deps));
  app.get('/dashboard', () => handleDashboardPage());
  app.get('/dashboard/dashboard.js', () => handleDashboardScript());
  app.get('/dashboard/dashboard.css', () => handleDashboardStyles());
  app.get('/dashboard/session', (context) => handleDashboardSessionState(context, deps));
  app.post('/dashboard/session', (context) => handleDashboardSession(context, deps));
  app.get('/dashboard/api/overview', (context) => handleUsageOverview(context, deps));
  app.get('/dashboard/api/live', (context) => handleDashboardLive(context, deps));

  app.notFound((context) => {
    const allowed = allowedMethods(context.req.path);
    if (allowed) {
      const error = new RelayError(
        `Method ${context.req.method} is not allowed on ${context.req.path}; use ${allowed.join(', ')}.`,
        {
          status: 405,
          type: 'invalid_request_error',
          code: 'method_not_allowed',
        },
      );
      return renderError(context, deps, error, { allow: allowed.join(', ') });
    }
    return renderError(
      context,
      deps,
      new RelayError(`No route for ${context.req.method} ${context.req.path}.`, {
        status: 404,
        type: 'invalid_request_error',
        code: 'not_found',
      }),
    );
  });

  app.onError((error, context) => {
    if (!(error instanceof RelayError))
      (context.get('log') ?? deps.logger).error({ err: error, path: context.req.path }, 'unhandled error');
    return renderError(context, deps, error);
  });

  return app;
}

/** The one error renderer: OpenAI's shape, or Anthropic's on its paths; secrets an upstream echoed never leave. */
function renderError(
  context: {
    json: (body: unknown, status: number, headers?: Record<string, string>) => Response;
    req: { path: string };
  },
  deps: AppDependencies,
  error: unknown,
  headers: Record<string, string> = {},
): Response {
  const { status, body, retryAfterSeconds } = isAnthropicPath(context.req.path)
    ? toAnthropicErrorBody(error)
    : toErrorBody(error);
  body.error.message = deps.redact(body.error.message);
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return context.json(body, status, headers);
}
