/**
 * One attempt on a route whose provider has a key pool: before the first
 * byte, a key the upstream refuses, rate limits or finds out of quota is
 * reported to the pool and the next key is tried at once. Each key is tried
 * at most once per attempt. When every usable key is resting, the client
 * hears a rate limit with the shortest wait.
 */
import type { Dispatcher } from 'undici';
import { isKeyFailure, type KeyEvent } from '../routing/key-pool.js';
import type { ResolvedRoute } from '../routing/router.js';
import type { ChatRequest } from '../translate/chat-types.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import type { UpstreamTimeouts } from './chat-client.js';
import { type OpenedStream, openUpstreamStream } from './open-stream.js';

/** Opens the upstream stream, rotating over the provider's keys when it has several. */
export async function openWithKeys(
  dispatcher: Dispatcher,
  route: ResolvedRoute,
  body: ChatRequest,
  signal: AbortSignal,
  timeouts: UpstreamTimeouts,
  now: () => number,
  onKeyEvent?: (event: KeyEvent) => void,
): Promise<OpenedStream> {
  const pool = route.provider.keyPool;
  if (pool === undefined) return openUpstreamStream(dispatcher, route, body, signal, timeouts, now());
  const tried = new Set<string>();
  let last: OpenedStream | undefined;
  for (let key = pool.pick(now(), tried); key !== undefined; key = pool.pick(now(), tried)) {
    tried.add(key.variable);
    const opened = await openUpstreamStream(dispatcher, route, body, signal, timeouts, now(), {
      ...route.provider.endpoint,
      apiKey: key.value,
    });
    const event = pool.report(key, opened.ok ? undefined : opened.failure, now());
    if (event) onKeyEvent?.(event);
    if (opened.ok || !isKeyFailure(opened.failure)) return opened;
    last = opened;
  }
  const wait = pool.shortestRestSeconds(now());
  if (wait !== undefined) return { ok: false, failure: everyKeyResting(route, wait) };
  // Every key was refused: the last refusal is the answer.
  return last!;
}

function everyKeyResting(route: ResolvedRoute, waitSeconds: number): UpstreamFailure {
  const seconds = Math.max(1, Math.ceil(waitSeconds));
  const name = route.provider.profile.displayName;
  return {
    code: 'rate_limit_exceeded',
    message: `Rate limit reached at ${name}: every API key of provider '${route.provider.name}' is rate limited, out of quota or refused. Please try again in ${seconds}s.`,
    status: 429,
    retryAfterSeconds: seconds,
  };
}
