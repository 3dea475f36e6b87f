/**
 * Probes and metrics:
 * - GET /healthz: the process is up and serving HTTP (always 200);
 * - GET /readyz: the relay can take work — the store answers, the
 *   configuration holds together, and no shutdown has begun (503 otherwise,
 *   naming what is wrong);
 * - GET /metrics: Prometheus text format.
 */
import type { Context } from 'hono';
import { configProblems } from '../../routing/config-problems.js';
import type { AppDependencies } from '../dependencies.js';
import type { RelayEnv } from '../relay-env.js';

/** GET /healthz. */
export function handleHealth(context: Context<RelayEnv>): Response {
  return context.json({ status: 'ok' });
}

/** GET /readyz. */
export async function handleReady(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const checks: Record<string, string> = {};
  try {
    await deps.history.store.ping();
    checks.store = 'ok';
  } catch (error) {
    checks.store = `not usable: ${(error as Error).message}`;
  }
  const problems = configProblems(deps.router);
  checks.config = problems.length === 0 ? 'ok' : problems.join('; ');
  checks.accepting = deps.turns.draining ? 'no: shutting down' : 'ok';
  const ready = Object.values(checks).every((check) => check === 'ok');
  return context.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
}

/** GET /metrics. */
export async function handleMetrics(context: Context<RelayEnv>, deps: AppDependencies): Promise<Response> {
  const text = await deps.metrics.registry.metrics();
  return context.body(text, 200, { 'content-type': deps.metrics.registry.contentType });
}
