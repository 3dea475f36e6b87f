/**
 * Binds the app to a port. Used by the CLI, the tests and the benchmark, so
 * all of them run the relay the way users do.
 */
import { randomBytes } from 'node:crypto';
import { ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import { ModelDirectory } from '../models/model-directory.js';
import { createMetrics, type RelayMetrics } from '../observability/metrics.js';
import { registerKeyMetrics } from '../observability/key-metrics.js';
import { createRedactor } from '../observability/redact.js';
import { providerSecrets, type ConfiguredProvider, type ModelRouter } from '../routing/router.js';
import { MemoryResponseStore } from '../store/memory-store.js';
import { ResponseHistory } from '../store/response-history.js';
import { DEFAULT_MAX_MB, DEFAULT_TTL_MS, type ResponseStore } from '../store/types.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';
import { fetchUpstreamModels } from '../upstream/list-models.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../upstream/retry-policy.js';
import { ProviderDispatchers, sharedDispatcher, type UpstreamDispatcher } from '../upstream/upstream-dispatcher.js';
import { MemoryUsageLedger } from '../usage/memory-ledger.js';
import { DEFAULT_USAGE_RETENTION_MS, type UsageLedger } from '../usage/types.js';
import { UsageRecorder } from '../usage/usage-recorder.js';
import { createApp } from './app.js';
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_QUEUE,
  DEFAULT_MODELS_TTL_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TIMEOUTS,
} from './defaults.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { AppDependencies } from './dependencies.js';
import { createRandomId } from './ids.js';
import { takeNodeWriter, writeSseToNode } from './node-sse.js';
import { drainServer, OpenResponses } from './shutdown.js';
import { TurnRegistry } from './turn-lifecycle.js';
import { WebSocketHub, type WebSocketLimits } from './websocket/websocket-hub.js';

export interface RelayServerOptions {
  host: string;
  port: number;
  router: ModelRouter;
  logger: Logger;
  timeouts?: Partial<UpstreamTimeouts>;
  retryPolicy?: Partial<RetryPolicy>;
  heartbeatMs?: number;
  /** How long upstream model lists are reused by GET /v1/models. */
  modelsTtlMs?: number;
  /** Every upstream request through this one; defaults to one keep-alive pool per provider, owned (and closed) by the server. */
  dispatcher?: Dispatcher;
  /** Where stored responses live; defaults to a memory store owned (and closed) by the server. */
  store?: ResponseStore;
  /** Watches every response the relay emits (see AppDependencies). */
  observeResponse?: AppDependencies['observeResponse'];
  /** The token clients must send; without one the relay is open (the CLI allows that on loopback only). */
  authToken?: string;
  /** Web origins allowed to call the relay, and extra names the Host header may carry (`*` turns that check off). */
  allowOrigins?: readonly string[];
  allowHosts?: readonly string[];
  /** Largest request body in bytes. */
  maxBodyBytes?: number;
  /** Upstream requests in flight at once, and requests allowed to wait for one. */
  maxConcurrent?: number;
  maxQueue?: number;
  /** Log request input and response output. */
  logContent?: boolean;
  /** Node's process metrics on /metrics (default true). */
  processMetrics?: boolean;
  /** Where usage records go; defaults to a memory ring owned by the server. */
  usageLedger?: UsageLedger;
  /** How long usage records are kept (default 30 days). */
  usageRetentionMs?: number;
  /** Caps and timers of the WebSocket transport. */
  websocket?: Partial<WebSocketLimits>;
  /** Authenticates the relay's `compaction` items; defaults to a random key for this process. */
  compactionKey?: Buffer;
}

export interface RunningRelay {
  /** e.g. http://127.0.0.1:4444 */
  url: string;
  host: string;
  port: number;
  /** Stored responses and their write counters. */
  history: ResponseHistory;
  metrics: RelayMetrics;
  /** The usage ledger and the live list of turns. */
  usage: UsageRecorder;
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

const MODEL_LIST_TIMEOUT_MS = 15_000;

/** The app's dependencies from the server options, the upstream pool and the store. */
export function createDependencies(
  options: Omit<RelayServerOptions, 'host' | 'port' | 'dispatcher' | 'store' | 'usageLedger'> & { host?: string },
  dispatcher: Dispatcher | UpstreamDispatcher,
  store: ResponseStore,
  usageLedger: UsageLedger = new MemoryUsageLedger(),
): AppDependencies {
  const upstream = 'forProvider' in dispatcher ? dispatcher : sharedDispatcher(dispatcher);
  const history = new ResponseHistory({ store, logger: options.logger, createId: createRandomId, now: Date.now });
  const limiter = new ConcurrencyLimiter(options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, options.maxQueue ?? DEFAULT_MAX_QUEUE);
  const usage = new UsageRecorder({ ledger: usageLedger, retentionMs: options.usageRetentionMs ?? DEFAULT_USAGE_RETENTION_MS, logger: options.logger });
  const metrics = createMetrics({
    ...(options.processMetrics === undefined ? {} : { processMetrics: options.processMetrics }),
    sources: {
      storeStats: () => store.stats(),
      storeWriteFailures: () => history.counters.writeFailures,
      queuedRequests: () => limiter.queuedCount,
      usageWriteFailures: () => usage.writeFailures,
    },
  });
  registerKeyMetrics(metrics.registry, options.router, Date.now);
  const secrets = [...options.router.providers.values()].flatMap(providerSecrets);
  return {
    router: options.router,
    models: new ModelDirectory({
      router: options.router,
      fetchList: (provider) => fetchUpstreamModels(upstream.forProvider(provider), withPooledKey(provider), MODEL_LIST_TIMEOUT_MS),
      onListProblem: (provider, problem) => options.logger.warn({ provider: provider.name, problem }, 'upstream model list unavailable; listing the profile\'s known models'),
      ttlMs: options.modelsTtlMs ?? DEFAULT_MODELS_TTL_MS,
      now: Date.now,
    }),
    dispatcher: upstream,
    logger: options.logger,
    now: Date.now,
    createId: createRandomId,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy },
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    history,
    compactionKey: options.compactionKey ?? randomBytes(32),
    ...(options.observeResponse ? { observeResponse: options.observeResponse } : {}),
    metrics,
    limiter,
    turns: new TurnRegistry(),
    redact: createRedactor([...secrets, options.authToken]),
    access: {
      authToken: options.authToken,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_MB * 1024 * 1024,
      browser: { allowOrigins: options.allowOrigins ?? [], allowHosts: options.allowHosts ?? [], bindHost: options.host },
    },
    logContent: options.logContent ?? false,
    usage,
  };
}

/** The provider's endpoint with a healthy key of its pool, if it has one (the first key may be set aside). */
function withPooledKey(provider: ConfiguredProvider): ConfiguredProvider['endpoint'] {
  const key = provider.keyPool?.pick(Date.now(), new Set());
  return key === undefined ? provider.endpoint : { ...provider.endpoint, apiKey: key.value };
}

/** Starts the relay; resolves once it is listening. */
export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelay> {
  const connectMs = options.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs;
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new ProviderDispatchers({ connectTimeoutMs: connectMs });
  const ownsStore = options.store === undefined;
  const store = options.store ?? new MemoryResponseStore({ ttlMs: DEFAULT_TTL_MS, maxBytes: DEFAULT_MAX_MB.memory * 1024 * 1024 });
  const ownsLedger = options.usageLedger === undefined;
  const deps = createDependencies(options, dispatcher, store, options.usageLedger);
  const { history, metrics, turns, usage } = deps;
  const app = createApp(deps);
  // Streaming turns are written straight to the socket (node-sse.ts); everything else as the app answered.
  const fetch = async (request: Request, bindings: HttpBindings | Http2Bindings): Promise<Response> => {
    const response = await app.fetch(request, bindings);
    const outgoing = bindings.outgoing;
    const source = outgoing instanceof ServerResponse ? takeNodeWriter(response) : undefined;
    if (!source) return response;
    writeSseToNode(source, response, outgoing as ServerResponse).catch((error: unknown) => {
      options.logger.error({ err: error }, 'writing a streamed response failed');
      outgoing.destroy();
    });
    return RESPONSE_ALREADY_SENT;
  };
  const server = createAdaptorServer({ fetch, hostname: options.host, port: options.port }) as Server;
  const responses = new OpenResponses(server);
  const websockets = new WebSocketHub(deps, () => responses.hold(), options.websocket);
  server.on('upgrade', websockets.handleUpgrade);
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
      // The dashboard's live streams never end by themselves.
      usage.endSubscribers();
      await drainServer({ server, responses, turns, graceMs, logger: options.logger, hurry: hurried, closeUpgraded: () => websockets.closeAll() });
      // Nothing may still be waiting on the pool: what a drain left behind is cut.
      if (ownsDispatcher) await dispatcher.destroy();
      await history.close();
      await usage.close();
      if (ownsLedger) await usage.ledger.close();
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
    usage,
    shutdown: (shutdownOptions = {}) => shutdown(shutdownOptions.graceMs ?? DEFAULT_SHUTDOWN_GRACE_MS),
    close: () => shutdown(0),
  };
}
