/**
 * The paths the relay serves: the methods each accepts (for 405s), the label
 * each has in metrics, and the ones that stay open without the relay's token.
 */

/** Paths served as they are, with the methods each accepts. */
const ROUTES: Record<string, string[]> = {
  '/v1/responses': ['POST'],
  '/v1/responses/input_tokens': ['POST'],
  '/v1/responses/compact': ['POST'],
  '/v1/messages': ['POST'],
  '/v1/messages/count_tokens': ['POST'],
  '/v1/chat/completions': ['POST'],
  '/v1/models': ['GET'],
  '/healthz': ['GET'],
  '/readyz': ['GET'],
  '/metrics': ['GET'],
  '/v1/usage': ['GET'],
  '/dashboard': ['GET'],
  '/dashboard/dashboard.js': ['GET'],
  '/dashboard/dashboard.css': ['GET'],
  '/dashboard/session': ['GET', 'POST'],
  '/dashboard/api/overview': ['GET'],
  '/dashboard/api/live': ['GET'],
};

/** Paths with an id in them: pattern, metric label, methods. */
const ROUTE_PATTERNS: Array<[RegExp, string, string[]]> = [
  [/^\/v1\/responses\/[^/]+$/, '/v1/responses/{id}', ['GET', 'DELETE']],
  [/^\/v1\/responses\/[^/]+\/input_items$/, '/v1/responses/{id}/input_items', ['GET']],
];

/** Paths in Anthropic's dialect: their errors take Anthropic's shape. */
export function isAnthropicPath(path: string): boolean {
  return path === '/v1/messages' || path.startsWith('/v1/messages/');
}

/** Health probes: reachable without the token and while shutting down. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/** The methods a known path accepts; undefined for unknown paths. */
export function allowedMethods(path: string): string[] | undefined {
  return ROUTES[path] ?? ROUTE_PATTERNS.find(([pattern]) => pattern.test(path))?.[2];
}

/** The path as a metric label: ids replaced by `{id}`, unknown paths as `other` (labels must stay few). */
export function routeLabel(path: string): string {
  if (ROUTES[path]) return path;
  return ROUTE_PATTERNS.find(([pattern]) => pattern.test(path))?.[1] ?? 'other';
}
