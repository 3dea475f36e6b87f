/**
 * `responses-relay serve` (the default command): checks the options, builds
 * the router from the flags and the config file, opens the session store and
 * starts listening. Problems with the options are one-line CliErrors, never
 * stack traces.
 */

import { buildRouter } from '../config/build-router.js';
import { CliError } from '../config/cli-error.js';
import type { RelayConfigFile } from '../config/config-file.js';
import { parseDuration } from '../duration.js';
import { createLogger, type Logger, type LogLevel } from '../log.js';
import { createServices, relayRedactor } from '../server/services.js';
import { listenRelay, type RunningRelay } from '../server/start-server.js';
import { openResponseStore, StoreOpenError } from '../store/open-store.js';
import { DEFAULT_REDIS_PREFIX, describeRedisUrl, RedisResponseStore, RedisSchemaError } from '../store/redis-store.js';
import { SqliteResponseStore } from '../store/sqlite-store.js';
import { DEFAULT_MAX_MB, type ResponseStore, type StoreLimits } from '../store/types.js';
import { describeProxyUrl } from '../upstream/proxy-settings.js';
import { openUsageLedger } from '../usage/open-ledger.js';
import type { UsageLedger } from '../usage/types.js';
import { loadCompactionKey } from './compaction-key.js';
import { type OperationsOptions, parseOperationsOptions } from './operations-options.js';

export interface ServeOptions extends OperationsOptions {
  host: string;
  port: number;
  provider?: string | undefined;
  upstream?: string | undefined;
  upstreamKeyEnv?: string | undefined;
  upstreamKey?: string | undefined;
  modelMap?: string | undefined;
  /** Forward proxy for every upstream (a provider's own `proxy` wins). */
  upstreamProxy?: string | undefined;
  /** Private CA file trusted for every upstream. */
  upstreamCa?: string | undefined;
  logLevel: LogLevel;
  /** Retries of a failed upstream request before the first byte (per route). */
  upstreamRetries?: number | undefined;
  /** Seconds an upstream model list is reused. */
  modelsTtl?: number | undefined;
  /** Session store backend (default sqlite). */
  store?: string | undefined;
  /** SQLite file (default under the user's state directory). */
  storePath?: string | undefined;
  /** How long an unused conversation is kept, e.g. `7d` (the default). */
  storeTtl?: string | undefined;
  /** Memory budget or size cap in MB (for Redis: its maxmemory). */
  storeMaxMb?: number | undefined;
  /** How long the usage ledger keeps each turn, e.g. `30d` (the default). */
  usageRetention?: string | undefined;
  /** Redis URL for --store redis. */
  storeUrl?: string | undefined;
  /** Prefix of every Redis key (default `responses-relay:`). */
  storePrefix?: string | undefined;
}

/** The options that choose and shape the session store. */
export type StoreOptions = Pick<
  ServeOptions,
  'store' | 'storePath' | 'storeTtl' | 'storeMaxMb' | 'storeUrl' | 'storePrefix'
>;

/** Opens the session store the options describe; problems are one-line CliErrors naming the path or URL. */
export async function openStoreFromOptions(options: StoreOptions, logger: Logger): Promise<ResponseStore> {
  const kind = options.store ?? 'sqlite';
  if (kind !== 'memory' && kind !== 'sqlite' && kind !== 'redis')
    throw new CliError(`--store must be 'memory', 'sqlite' or 'redis', got '${kind}'`);
  const ttlText = options.storeTtl ?? '7d';
  const ttlMs = parseDuration(ttlText);
  if (ttlMs === undefined) throw new CliError(`--store-ttl '${ttlText}' is not a duration; use e.g. 7d, 12h or 30m`);
  // Redis keeps its own maxmemory unless the flag is given.
  const maxMb = options.storeMaxMb ?? (kind === 'redis' ? undefined : DEFAULT_MAX_MB[kind]);
  if (maxMb !== undefined && (!Number.isFinite(maxMb) || maxMb <= 0)) {
    throw new CliError(`--store-max-mb must be a positive number of megabytes, got '${options.storeMaxMb}'`);
  }
  const limits = {
    ttlMs,
    maxBytes: maxMb === undefined ? 0 : Math.floor(maxMb * 1024 * 1024),
    onBackgroundError: (error: unknown) => logger.error({ err: error }, 'session store sweep failed'),
  };
  if (kind === 'redis') return openRedisStoreFromOptions(options, limits, logger);
  try {
    return openResponseStore({ kind, path: options.storePath, ...limits });
  } catch (error) {
    if (error instanceof StoreOpenError) throw new CliError(error.message);
    throw error;
  }
}

async function openRedisStoreFromOptions(
  options: StoreOptions,
  limits: StoreLimits,
  logger: Logger,
): Promise<ResponseStore> {
  const url = options.storeUrl;
  if (url === undefined || url === '')
    throw new CliError('--store redis needs --store-url redis://[user:pass@]host:port/db (or rediss:// for TLS)');
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new CliError(
      `--store-url '${describeRedisUrl(url)}' is not a URL; use redis://[user:pass@]host:port/db or rediss://…`,
    );
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:')
    throw new CliError(`--store-url must start with redis:// or rediss://, got '${protocol}'`);
  try {
    return await RedisResponseStore.open({
      ...limits,
      url,
      prefix: options.storePrefix ?? DEFAULT_REDIS_PREFIX,
      onWarning: (message, error) => logger.warn(error === undefined ? {} : { err: error }, message),
    });
  } catch (error) {
    if (error instanceof RedisSchemaError) throw new CliError(error.message);
    throw error;
  }
}

/** Starts the relay and prints `listening on …` once it accepts connections. */
export async function runServe(
  options: ServeOptions,
  file?: RelayConfigFile,
  environment: NodeJS.ProcessEnv = process.env,
): Promise<RunningRelay> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new CliError(`--port must be a whole number from 0 to 65535, got '${options.port}'`);
  }
  if (
    options.upstreamRetries !== undefined &&
    (!Number.isInteger(options.upstreamRetries) || options.upstreamRetries < 0)
  ) {
    throw new CliError(`--upstream-retries must be a whole number of 0 or more, got '${options.upstreamRetries}'`);
  }
  if (options.modelsTtl !== undefined && !(options.modelsTtl >= 0)) {
    throw new CliError(`--models-ttl must be a number of seconds (0 or more), got '${options.modelsTtl}'`);
  }
  const settings = parseOperationsOptions(options, options.host);
  const router = buildRouter(options, file, environment, { requireKeys: true });
  // One redactor for the log and for what clients see, made before the store opens so its warnings are redacted too.
  const redact = relayRedactor(router, settings.authToken);
  const logger = createLogger(options.logLevel, process.stderr, redact);
  const usageRetentionMs = parseDuration(options.usageRetention ?? '30d');
  if (usageRetentionMs === undefined)
    throw new CliError(`--usage-retention '${options.usageRetention}' is not a duration; use e.g. 30d or 12h`);
  const store = await openStoreFromOptions(options, logger);
  let compactionKey: Buffer;
  try {
    compactionKey = loadCompactionKey(options, environment);
  } catch (error) {
    await store.close();
    throw error;
  }
  let usageLedger: UsageLedger;
  try {
    usageLedger = openUsageLedger(store, logger);
  } catch (error) {
    await store.close();
    throw new CliError(`cannot open the usage ledger beside the session store: ${(error as Error).message}`);
  }
  let relay: RunningRelay;
  try {
    const services = createServices({
      host: options.host,
      router,
      logger,
      redact,
      store,
      ...(options.upstreamRetries !== undefined ? { retryPolicy: { maxRetries: options.upstreamRetries } } : {}),
      ...(options.modelsTtl !== undefined ? { modelsTtlMs: options.modelsTtl * 1000 } : {}),
      timeouts: settings.timeouts,
      heartbeatMs: settings.heartbeatMs,
      authToken: settings.authToken,
      allowOrigins: settings.allowOrigins,
      allowHosts: settings.allowHosts,
      maxBodyBytes: settings.maxBodyBytes,
      maxConcurrent: settings.maxConcurrent,
      maxQueue: settings.maxQueue,
      prefixCacheBytes: settings.prefixCacheBytes,
      logContent: settings.logContent,
      usageLedger,
      usageRetentionMs,
      compactionKey,
    });
    relay = await listenRelay(services, { host: options.host, port: options.port });
  } catch (error) {
    await usageLedger.close();
    await store.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${options.host}:${options.port}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on host '${options.host}'`);
    throw error;
  }
  process.stdout.write(`listening on ${relay.url}\n`);
  const providers = [...router.providers.values()].map((provider) => ({
    name: provider.name,
    profile: provider.profile.id,
    upstream: provider.endpoint.baseUrl,
    ...(provider.network?.proxy
      ? { proxy: describeProxyUrl(provider.network.proxy.url), proxyFrom: provider.network.proxy.source }
      : {}),
    ...(provider.network && provider.network.caFiles.length > 0 ? { caFiles: provider.network.caFiles } : {}),
    ...(provider.keyPool ? { keys: provider.keyPool.keys.map((key) => key.variable) } : {}),
  }));
  logger.info(
    {
      url: relay.url,
      config: file?.path,
      defaultProvider: router.defaultProvider.name,
      providers,
      aliases: [...router.aliases.keys()],
      store: store.kind,
      ...(store instanceof SqliteResponseStore ? { storePath: store.path } : {}),
      ...(store instanceof RedisResponseStore ? { storeUrl: store.location } : {}),
      auth: settings.authToken === undefined ? 'none' : 'token',
      maxConcurrent: settings.maxConcurrent,
      maxQueue: settings.maxQueue,
    },
    'relay ready',
  );
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      // A second signal: end the responses in flight now instead of waiting out the grace period.
      logger.warn({ signal }, 'second signal: ending the responses in flight now');
      void relay.shutdown();
      return;
    }
    logger.info({ signal, graceMs: settings.shutdownGraceMs }, 'shutting down');
    // Stop taking requests, let responses and store writes in flight finish, then close the store cleanly.
    void relay
      .shutdown({ graceMs: settings.shutdownGraceMs })
      .then(() => usageLedger.close())
      .then(() => store.close())
      .then(
        () => {
          logger.info('relay stopped');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutting down failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return relay;
}
