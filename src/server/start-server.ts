/**
 * Binds the app to a port. Used by the CLI, the tests and the benchmark, so
 * all of them run the relay the way users do.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import { createMetrics, type RelayMetrics } from '../observability/metrics.js';
import { createRedactor } from '../observability/redact.js';
import type { ModelRouter } from '../routing/router.js';
import { MemoryResponseStore } from '../store/memory-store.js';
import { ResponseHistory } from '../store/response-history.js';
import { DEFAULT_MAX_MB, DEFAULT_TTL_MS, type ResponseStore } from '../store/types.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';
import { createApp } from './app.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { AppDependencies } from './dependencies.js';
import { createRandomId } from './ids.js';
import { drainServer, OpenResponses } from './shutdown.js';
import { TurnRegistry } from './turn-lifecycle.js';

export interface RelayServerOptions {
  host: string;
  port: number;
  router: ModelRouter;
  logger: Logger;
  timeouts?: Partial<UpstreamTimeouts>;
  heartbeatMs?: number;
  /** Defaults to a keep-alive pool owned (and closed) by the server. */
  dispatcher?: Dispatcher;
  /** Where stored responses live; defaults to a memory store owned (and closed) by the server. */
  store?: ResponseStore;
  /** The token clients must send; without one the relay is open (the CLI allows that on loopback only). */
  authToken?: string;
  /** Largest request body in bytes. */
  maxBodyBytes?: number;
  /** Upstream requests in flight at once, and requests allowed to wait for one. */
  maxConcurrent?: number;
  maxQueue?: number;
  /** Log request input and response output. */
  logContent?: boolean;
  /** Node's process metrics on /metrics (default true). */
  processMetrics?: boolean;
}

export interface RunningRelay {
  /** e.g. http://127.0.0.1:4444 */
  url: string;
  host: string;
  port: number;
  /** Stored responses and their write counters. */
  history: ResponseHistory;
  metrics: RelayMetrics;
  /**
   * Stops accepting, lets the responses in flight finish for up to `graceMs`,
   * ends the rest with `response.failed`, closes every connection and waits
   * for store writes (a store passed in stays open). Calling it again while it
   * runs ends the grace period at once; every call resolves when it is done.
   */
  shutdown(options?: { graceMs?: number }): Promise<void>;
  /** shutdown() with no grace period. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { connectMs: 10_000, firstByteMs: 300_000, idleMs: 300_000, totalMs: 1_800_000 };
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_BODY_MB = 50;
export const DEFAULT_MAX_CONCURRENT = 64;
export const DEFAULT_MAX_QUEUE = 256;
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/** Starts the relay; resolves once it is listening. */
export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelay> {
  const timeouts: UpstreamTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connect: { timeout: timeouts.connectMs } });
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryResponseStore({ ttlMs: DEFAULT_TTL_MS, maxBytes: DEFAULT_MAX_MB.memory * 1024 * 1024 });
  const history = new ResponseHistory({ store, logger: options.logger, createId: createRandomId, now: Date.now });
  const limiter = new ConcurrencyLimiter(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, options.maxQueue ?? DEFAULT_MAX_QUEUE);
  const metrics = createMetrics({
    ...(options.processMetrics === undefined ? {} : { processMetrics: options.processMetrics }),
    sources: { storeStats: () => store.stats(), storeWriteFailures: () => history.counters.writeFailures, queuedRequests: () => limiter.queuedCount },
  });
  const turns = new TurnRegistry();
  const secrets = [...options.router.providers.values()].map((provider) => provider.endpoint.apiKey);
  const deps: AppDependencies = {
    router: options.router,
    dispatcher,
    logger: options.logger,
    now: Date.now,
    createId: createRandomId,
    timeouts,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    history,
    metrics,
    limiter,
    turns,
    redact: createRedactor([...secrets, options.authToken]),
    access: { authToken: options.authToken, maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_MB * 1024 * 1024 },
    logContent: options.logContent ?? false,
  };
  const app = createApp(deps);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: options.host, port: options.port }) as Server;
  const responses = new OpenResponses(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let stopping: Promise<void> | undefined;
  let hurry!: () => void;
  const hurried = new Promise<void>((resolve) => (hurry = resolve));
  const shutdown = (graceMs: number): Promise<void> => {
    if (stopping) {
      hurry();
      return stopping;
    }
    stopping = (async () => {
      await drainServer({ server, responses, turns, graceMs, logger: options.logger, hurry: hurried });
      // Nothing may still be waiting on the pool: what a drain left behind is cut.
      if (ownsDispatcher) await dispatcher.destroy();
      await history.close();
      if (ownsStore) await store.close();
    })();
    return stopping;
  };
  return {
    url: `http://${host}:${address.port}`,
    host: options.host,
    port: address.port,
    history,
    metrics,
    shutdown: (shutdownOptions = {}) => shutdown(shutdownOptions.graceMs ?? DEFAULT_SHUTDOWN_GRACE_MS),
    close: () => shutdown(0),
  };
}
