/**
 * `responses-relay serve` (the default command): checks the options, builds
 * the router from the flags and the config file, and starts listening.
 * Problems with the options are one-line CliErrors, never stack traces.
 */
import type { RelayConfigFile } from '../config/config-file.js';
import { buildRouter } from '../config/build-router.js';
import { createLogger, type LogLevel } from '../log.js';
import { startRelayServer, type RunningRelay } from '../server/start-server.js';
import { CliError } from './cli-error.js';

export interface ServeOptions {
  host: string;
  port: number;
  provider?: string | undefined;
  upstream?: string | undefined;
  upstreamKeyEnv?: string | undefined;
  upstreamKey?: string | undefined;
  modelMap?: string | undefined;
  logLevel: LogLevel;
  /** Retries of a failed upstream request before the first byte (per route). */
  upstreamRetries?: number | undefined;
  /** Seconds an upstream model list is reused. */
  modelsTtl?: number | undefined;
}

/** Starts the relay and prints `listening on …` once it accepts connections. */
export async function runServe(options: ServeOptions, file?: RelayConfigFile, environment: NodeJS.ProcessEnv = process.env): Promise<RunningRelay> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new CliError(`--port must be a whole number from 0 to 65535, got '${options.port}'`);
  }
  if (options.upstreamRetries !== undefined && (!Number.isInteger(options.upstreamRetries) || options.upstreamRetries < 0)) {
    throw new CliError(`--upstream-retries must be a whole number of 0 or more, got '${options.upstreamRetries}'`);
  }
  if (options.modelsTtl !== undefined && !(options.modelsTtl >= 0)) {
    throw new CliError(`--models-ttl must be a number of seconds (0 or more), got '${options.modelsTtl}'`);
  }
  const router = buildRouter(options, file, environment, { requireKeys: true });
  const logger = createLogger(options.logLevel);
  let relay: RunningRelay;
  try {
    relay = await startRelayServer({
      host: options.host,
      port: options.port,
      router,
      logger,
      ...(options.upstreamRetries !== undefined ? { retryPolicy: { maxRetries: options.upstreamRetries } } : {}),
      ...(options.modelsTtl !== undefined ? { modelsTtlMs: options.modelsTtl * 1000 } : {}),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${options.host}:${options.port}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on host '${options.host}'`);
    throw error;
  }
  process.stdout.write(`listening on ${relay.url}\n`);
  const providers = [...router.providers.values()].map((provider) => ({ name: provider.name, profile: provider.profile.id, upstream: provider.endpoint.baseUrl }));
  logger.info({ url: relay.url, config: file?.path, defaultProvider: router.defaultProvider.name, providers, aliases: [...router.aliases.keys()] }, 'relay ready');
  const shutdown = () => {
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return relay;
}
