/**
 * createServices(options): everything the relay runs with, built in one
 * place — the router's upstream pools, the session store and its history,
 * the usage ledger, metrics, limits, and the one redactor that keeps the
 * configured secrets out of log lines and client-facing messages.
 * `serve`, `doctor` and the tests' relay starter all start here; only
 * start-server.ts binds the result to a port.
 */
import { randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import { ModelDirectory } from '../models/model-directory.js';
import { registerKeyMetrics } from '../observability/key-metrics.js';
import { createMetrics } from '../observability/metrics.js';
import { registerPrefixMetrics } from '../observability/prefix-metrics.js';
import { createRedactor, type Redactor } from '../observability/redact.js';
import { type ConfiguredProvider, type ModelRouter, providerSecrets } from '../routing/router.js';
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
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_QUEUE,
  DEFAULT_MODELS_TTL_MS,
  DEFAULT_PREFIX_CACHE_MB,
  DEFAULT_TIMEOUTS,
} from './defaults.js';
import type { AppDependencies } from './dependencies.js';
import { createRandomId } from './ids.js';
import { RequestPrefixCache } from './request-prefix/request-prefix-cache.js';
import { TurnRegistry } from './turn-lifecycle.js';

export interface ServiceOptions {
  router: ModelRouter;
  logger: Logger;
  /** The redactor `logger` was made with (`serve` makes both from relayRedactor); by default one for the router's secrets and the token. */
  redact?: Redactor;
  /** The host the relay listens on: the browser protections accept it in the Host header. */
  host?: string;
  timeouts?: Partial<UpstreamTimeouts>;
  retryPolicy?: Partial<RetryPolicy>;
  heartbeatMs?: number;
  /** How long upstream model lists are reused by GET /v1/models. */
  modelsTtlMs?: number;
  /** Every upstream request through this one; defaults to one keep-alive pool per provider, owned (and closed) by the services. */
  dispatcher?: Dispatcher | UpstreamDispatcher;
  /** Where stored responses live; defaults to a memory store owned (and closed) by the services. */
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
  /** Where usage records go; defaults to a memory ring owned by the services. */
  usageLedger?: UsageLedger;
  /** How long usage records are kept (default 30 days). */
  usageRetentionMs?: number;
  /** Authenticates the relay's `compaction` items; defaults to a random key for this process. */
  compactionKey?: Buffer;
  /** Bytes of recent HTTP request bodies kept to read only what the next turn adds (0 turns that off). */
  prefixCacheBytes?: number;
}

/** The app's dependencies, the store they sit on, and how to close what the services own. */
export interface RelayServices extends AppDependencies {
  store: ResponseStore;
  /**
   * Waits for store and usage writes, then closes the upstream pools, the
   * ledger and the store the services opened themselves (those passed in stay
   * open). Call it once nothing uses the services any more.
   */
  close(): Promise<void>;
}

const MODEL_LIST_TIMEOUT_MS = 15_000;

/** Secrets no log line or client-facing message may carry: every upstream key and the relay's token. */
export function relaySecrets(router: ModelRouter, authToken: string | undefined): Array<string | undefined> {
  return [...[...router.providers.values()].flatMap(providerSecrets), authToken];
}

/** The one redactor for the relay's log lines and the messages its clients see. */
export function relayRedactor(router: ModelRouter, authToken: string | undefined): Redactor {
  return createRedactor(relaySecrets(router, authToken));
}

/** Builds the relay's services (see the top of this file). */
export function createServices(options: ServiceOptions): RelayServices {
  const redact = options.redact ?? relayRedactor(options.router, options.authToken);
  const { logger } = options;
  const { dispatcher, ownedPools } = upstreamPools(options);
  const ownsStore = options.store === undefined;
  const store =
    options.store ?? new MemoryResponseStore({ ttlMs: DEFAULT_TTL_MS, maxBytes: DEFAULT_MAX_MB.memory * 1024 * 1024 });
  const ownsLedger = options.usageLedger === undefined;
  const usageLedger = options.usageLedger ?? new MemoryUsageLedger();
  const history = new ResponseHistory({ store, logger, createId: createRandomId, now: Date.now });
  const limiter = new ConcurrencyLimiter(
    options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
    options.maxQueue ?? DEFAULT_MAX_QUEUE,
  );
  const usage = new UsageRecorder({
    ledger: usageLedger,
    retentionMs: options.usageRetentionMs ?? DEFAULT_USAGE_RETENTION_MS,
    logger,
  });
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
  const requestPrefixes = new RequestPrefixCache({
    maxBytes: options.prefixCacheBytes ?? DEFAULT_PREFIX_CACHE_MB * 1024 * 1024,
  });
  registerPrefixMetrics(metrics.registry, requestPrefixes);
  return {
    router: options.router,
    models: new ModelDirectory({
      router: options.router,
      fetchList: (provider) =>
        fetchUpstreamModels(dispatcher.forProvider(provider), withPooledKey(provider), MODEL_LIST_TIMEOUT_MS),
      onListProblem: (provider, problem) =>
        logger.warn(
          { provider: provider.name, problem },
          "upstream model list unavailable; listing the profile's known models",
        ),
      ttlMs: options.modelsTtlMs ?? DEFAULT_MODELS_TTL_MS,
      now: Date.now,
    }),
    dispatcher,
    logger,
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
    redact,
    access: {
      authToken: options.authToken,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_MB * 1024 * 1024,
      browser: {
        allowOrigins: options.allowOrigins ?? [],
        allowHosts: options.allowHosts ?? [],
        bindHost: options.host,
      },
    },
    logContent: options.logContent ?? false,
    usage,
    requestPrefixes,
    store,
    close: async () => {
      // Nothing may still be waiting on the pool: what a drain left behind is cut.
      await ownedPools?.destroy();
      await history.close();
      await usage.close();
      if (ownsLedger) await usageLedger.close();
      if (ownsStore) await store.close();
    },
  };
}

/** The dispatcher passed in (one for every provider when it is a plain one: tests, the benchmark), or pools of the services' own. */
function upstreamPools(options: ServiceOptions): { dispatcher: UpstreamDispatcher; ownedPools?: ProviderDispatchers } {
  if (options.dispatcher !== undefined)
    return {
      dispatcher: 'forProvider' in options.dispatcher ? options.dispatcher : sharedDispatcher(options.dispatcher),
    };
  const pools = new ProviderDispatchers({
    connectTimeoutMs: options.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
  });
  return { dispatcher: pools, ownedPools: pools };
}

/** The provider's endpoint with a healthy key of its pool, if it has one (the first key may be set aside). */
function withPooledKey(provider: ConfiguredProvider): ConfiguredProvider['endpoint'] {
  const key = provider.keyPool?.pick(Date.now(), new Set());
  return key === undefined ? provider.endpoint : { ...provider.endpoint, apiKey: key.value };
}
