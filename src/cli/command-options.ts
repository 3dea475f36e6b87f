/**
 * The flag sets several commands share: `serve`'s (also read by `doctor` and
 * `start`), and those of the commands that write Codex settings.
 */
import type { Argv } from 'yargs';
import { LOG_LEVELS, type LogLevel } from '../log-levels.js';
import { withOperationsOptions } from './operations-options.js';
import type { ServeOptions } from './serve-command.js';
import { withListenOptions, withRoutingOptions } from './shared-options.js';

/** The flags of `serve` (and of `doctor`, which checks them). */
export function withServeOptions<T>(command: Argv<T>) {
  return withOperationsOptions(
    withRoutingOptions(withListenOptions(command))
      .option('log-level', {
        type: 'string',
        choices: LOG_LEVELS,
        default: 'info',
        describe: 'Log level (logs go to stderr as JSON)',
      })
      .option('upstream-retries', {
        type: 'number',
        describe: 'Retries of a failed upstream request before the first byte, per route (default 2)',
      })
      .option('models-ttl', {
        type: 'number',
        describe: 'Seconds an upstream model list is reused by GET /v1/models (default 300)',
      })
      .option('store', {
        type: 'string',
        choices: ['memory', 'sqlite', 'redis'],
        default: 'sqlite',
        describe: 'Where stored responses (previous_response_id) are kept',
      })
      .option('store-path', {
        type: 'string',
        describe:
          'SQLite file for --store sqlite (default $XDG_STATE_HOME/responses-relay/sessions.db, else ~/.local/state/responses-relay/sessions.db)',
      })
      .option('store-ttl', {
        type: 'string',
        default: '7d',
        describe: 'How long a conversation nobody continues is kept (e.g. 7d, 12h, 30m)',
      })
      .option('store-max-mb', {
        type: 'number',
        describe:
          'Memory budget (memory), size cap (sqlite) or Redis maxmemory (redis) in MB; least recently used go first (default 256 / 1024 / as Redis is set)',
      })
      .option('store-url', {
        type: 'string',
        describe: 'Redis or Valkey for --store redis: redis://[user:pass@]host:port/db, rediss:// for TLS',
      })
      .option('store-prefix', {
        type: 'string',
        describe: 'Prefix of every Redis key, so one Redis serves several deployments (default responses-relay:)',
      })
      .option('usage-retention', {
        type: 'string',
        default: '30d',
        describe: 'How long the usage ledger keeps each turn (e.g. 30d, 12h)',
      }),
  );
}

export type ServeArgs = Awaited<ReturnType<typeof withServeOptions>['argv']>;

export function serveOptions(args: ServeArgs): ServeOptions {
  return {
    host: args.host,
    port: args.port,
    provider: args.provider,
    upstream: args.upstream,
    upstreamKeyEnv: args.upstreamKeyEnv,
    upstreamKey: args.upstreamKey,
    modelMap: args.modelMap,
    upstreamProxy: args.upstreamProxy,
    upstreamCa: args.upstreamCa,
    logLevel: args.logLevel as LogLevel,
    upstreamRetries: args.upstreamRetries,
    modelsTtl: args.modelsTtl,
    store: args.store,
    storePath: args.storePath,
    storeTtl: args.storeTtl,
    storeMaxMb: args.storeMaxMb,
    usageRetention: args.usageRetention,
    storeUrl: args.storeUrl,
    storePrefix: args.storePrefix,
    authToken: args.authToken,
    allowOrigin: args.allowOrigin,
    allowHost: args.allowHost,
    maxBodyMb: args.maxBodyMb,
    maxConcurrent: args.maxConcurrent,
    maxQueue: args.maxQueue,
    prefixCacheMb: args.prefixCacheMb,
    connectTimeout: args.connectTimeout,
    firstByteTimeout: args.firstByteTimeout,
    idleTimeout: args.idleTimeout,
    totalTimeout: args.totalTimeout,
    heartbeat: args.heartbeat,
    shutdownGrace: args.shutdownGrace,
    logContent: args.logContent,
    compactionKeyEnv: args.compactionKeyEnv,
  };
}

/** Options of the commands that write Codex settings. */
export function codexOptions<T>(command: Argv<T>) {
  return command
    .option('model', { type: 'string', describe: 'The model Codex starts with (an alias or a routed model name)' })
    .option('catalog', {
      type: 'string',
      describe: 'Where to write the Codex model catalog (default beside the config file)',
    })
    .option('env-key', {
      type: 'string',
      describe: 'The variable Codex sends to the relay as its key (default RESPONSES_RELAY_CLIENT_KEY)',
    })
    .option('client', {
      choices: ['codex', 'claude-code'] as const,
      default: 'codex' as const,
      describe: 'The client to configure: Codex (config.toml) or Claude Code (environment, ~/.claude/settings.json)',
    })
    .option('small-model', {
      type: 'string',
      describe: 'Claude Code only: its small/fast model (default: the same as --model)',
    });
}
