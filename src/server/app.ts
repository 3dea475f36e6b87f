/**
 * createApp(deps): the HTTP surface of the relay, built from injected parts.
 * Only the CLI binds it to a port.
 */
import { Hono } from 'hono';
import { RelayError, toErrorBody } from '../errors.js';
import type { AppDependencies } from './dependencies.js';
import { handleListModels } from './routes/models.js';
import { handleCreateResponse } from './routes/responses.js';
import { handleDeleteResponse, handleGetResponse, handleListInputItems } from './routes/stored-responses.js';

/** Paths the relay serves, with the methods each accepts (for 405s). */
const ROUTES: Record<string, string[]> = {
  '/v1/responses': ['POST'],
  '/v1/models': ['GET'],
  '/healthz': ['GET'],
};

/** Paths with an id in them, with the methods each accepts. */
const ROUTE_PATTERNS: Array<[RegExp, string[]]> = [
  [/^\/v1\/responses\/[^/]+$/, ['GET', 'DELETE']],
  [/^\/v1\/responses\/[^/]+\/input_items$/, ['GET']],
];

function allowedMethods(path: string): string[] | undefined {
  return ROUTES[path] ?? ROUTE_PATTERNS.find(([pattern]) => pattern.test(path))?.[1];
}

export function createApp(deps: AppDependencies): Hono {
  const app = new Hono();

  app.post('/v1/responses', (context) => handleCreateResponse(context, deps));
  app.get('/v1/responses/:id', (context) => handleGetResponse(context, deps));
  app.delete('/v1/responses/:id', (context) => handleDeleteResponse(context, deps));
  app.get('/v1/responses/:id/input_items', (context) => handleListInputItems(context, deps));
  app.get('/v1/models', (context) => handleListModels(context, deps));
  app.get('/healthz', (context) => context.json({ status: 'ok' }));

  app.notFound((context) => {
    const allowed = allowedMethods(context.req.path);
    if (allowed) {
      const error = new RelayError(`Method ${context.req.method} is not allowed on ${context.req.path}; use ${allowed.join(', ')}.`, {
        status: 405,
        type: 'invalid_request_error',
        code: 'method_not_allowed',
      });
      return renderError(context, error, { allow: allowed.join(', ') });
    }
    return renderError(context, new RelayError(`No route for ${context.req.method} ${context.req.path}.`, { status: 404, type: 'invalid_request_error', code: 'not_found' }));
  });

  app.onError((error, context) => {
    if (!(error instanceof RelayError)) deps.logger.error({ err: error, path: context.req.path }, 'unhandled error');
    return renderError(context, error);
  });

  return app;
}

function renderError(context: { json: (body: unknown, status: number, headers?: Record<string, string>) => Response }, error: unknown, headers: Record<string, string> = {}): Response {
  const { status, body, retryAfterSeconds } = toErrorBody(error);
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  return context.json(body, status, headers);
}
