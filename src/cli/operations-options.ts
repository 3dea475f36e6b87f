/**
 * The serve flags for running the relay as a service: access (`--auth-token`,
 * `--allow-origin`, `--allow-host`),
 * limits (`--max-body-mb`, `--max-concurrent`, `--max-queue`,
 * `--prefix-cache-mb`), upstream
 * timeouts, heartbeats, the shutdown grace period and `--log-content`.
 * `doctor` takes the same flags and checks them the same way.
 */
import type { Argv } from 'yargs';
import { CliError } from '../config/cli-error.js';
import { formatDuration, parseDuration } from '../duration.js';
import {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_MAX_CONCURRENT,
  DEFAULT_MAX_QUEUE,
  DEFAULT_PREFIX_CACHE_MB,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TIMEOUTS,
} from '../server/defaults.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';

/** Adds the flags to a command (defaults live in start-server.ts and are shown in the help). */
export function withOperationsOptions<T>(command: Argv<T>) {
  return command
    .option('auth-token', {
      type: 'string',
      describe: 'Token clients must send (Authorization: Bearer or x-api-key); required to listen beyond loopback',
    })
    .option('allow-origin', {
      type: 'string',
      array: true,
      // The config file spells it `allow_origins`.
      alias: 'allow-origins',
      describe:
        'A web origin (e.g. http://localhost:3000) allowed to call the relay from a browser; repeatable. Others get 403',
    })
    .option('allow-host', {
      type: 'string',
      array: true,
      alias: 'allow-hosts',
      describe:
        "Another name the Host header may carry (the relay behind a reverse proxy); repeatable; '*' turns the Host check off",
    })
    .option('max-body-mb', {
      type: 'number',
      describe: `Largest request body in MB; images travel inline (default ${DEFAULT_MAX_BODY_MB})`,
    })
    .option('max-concurrent', {
      type: 'number',
      describe: `Upstream requests in flight at once (default ${DEFAULT_MAX_CONCURRENT})`,
    })
    .option('max-queue', {
      type: 'number',
      describe: `Requests that may wait for an upstream slot; past that, 503 with Retry-After (default ${DEFAULT_MAX_QUEUE})`,
    })
    .option('prefix-cache-mb', {
      type: 'number',
      describe: `Request bodies of recent HTTP conversations kept, in MB, so a turn that resends one reads only its new items; 0 turns it off (default ${DEFAULT_PREFIX_CACHE_MB})`,
    })
    .option('connect-timeout', {
      type: 'string',
      describe: `Time to connect to the upstream (default ${formatDuration(DEFAULT_TIMEOUTS.connectMs)})`,
    })
    .option('first-byte-timeout', {
      type: 'string',
      describe: `Time for the upstream to start answering (default ${formatDuration(DEFAULT_TIMEOUTS.firstByteMs)})`,
    })
    .option('idle-timeout', {
      type: 'string',
      describe: `Longest upstream silence inside an answer (default ${formatDuration(DEFAULT_TIMEOUTS.idleMs)})`,
    })
    .option('total-timeout', {
      type: 'string',
      describe: `Longest one response may take; then it ends with response.failed (default ${formatDuration(DEFAULT_TIMEOUTS.totalMs)})`,
    })
    .option('heartbeat', {
      type: 'string',
      describe: `Interval of response.in_progress events while the upstream is silent (default ${formatDuration(DEFAULT_HEARTBEAT_MS)})`,
    })
    .option('shutdown-grace', {
      type: 'string',
      describe: `On SIGTERM/SIGINT, how long responses in flight may take to finish (default ${formatDuration(DEFAULT_SHUTDOWN_GRACE_MS)})`,
    })
    .option('log-content', {
      type: 'boolean',
      default: false,
      describe: 'Also log request input and response output (never logged otherwise)',
    })
    .option('compaction-key-env', {
      type: 'string',
      describe:
        'Environment variable holding the key of compaction summaries (relays sharing a Redis store need the same); default: a key file beside the store',
    });
}

export interface OperationsOptions {
  authToken?: string | undefined;
  allowOrigin?: string[] | undefined;
  allowHost?: string[] | undefined;
  maxBodyMb?: number | undefined;
  maxConcurrent?: number | undefined;
  maxQueue?: number | undefined;
  prefixCacheMb?: number | undefined;
  connectTimeout?: string | undefined;
  firstByteTimeout?: string | undefined;
  idleTimeout?: string | undefined;
  totalTimeout?: string | undefined;
  heartbeat?: string | undefined;
  shutdownGrace?: string | undefined;
  logContent?: boolean | undefined;
  compactionKeyEnv?: string | undefined;
}

export interface OperationsSettings {
  authToken: string | undefined;
  allowOrigins: string[];
  allowHosts: string[];
  maxBodyBytes: number;
  maxConcurrent: number;
  maxQueue: number;
  prefixCacheBytes: number;
  timeouts: UpstreamTimeouts;
  heartbeatMs: number;
  shutdownGraceMs: number;
  logContent: boolean;
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(?:\.\d{1,3}){3}$/.test(bare);
}

/** Checks the flags against `host`; a problem is a one-line CliError naming the flag. */
export function parseOperationsOptions(options: OperationsOptions, host: string): OperationsSettings {
  const authToken = options.authToken === undefined || options.authToken === '' ? undefined : options.authToken;
  if (authToken !== undefined && /\s/.test(authToken))
    throw new CliError('--auth-token must not contain spaces or line breaks');
  if (authToken === undefined && !isLoopbackHost(host)) {
    throw new CliError(
      `refusing to listen on ${host} without --auth-token: anyone who can reach it could spend your provider key; set --auth-token <secret> (or RESPONSES_RELAY_AUTH_TOKEN), or listen on 127.0.0.1`,
    );
  }
  const maxBodyMb = options.maxBodyMb ?? DEFAULT_MAX_BODY_MB;
  if (!Number.isFinite(maxBodyMb) || maxBodyMb <= 0)
    throw new CliError(`--max-body-mb must be a positive number of megabytes, got '${options.maxBodyMb}'`);
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
    throw new CliError(`--max-concurrent must be a whole number of 1 or more, got '${options.maxConcurrent}'`);
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  if (!Number.isInteger(maxQueue) || maxQueue < 0)
    throw new CliError(`--max-queue must be a whole number of 0 or more, got '${options.maxQueue}'`);
  const prefixCacheMb = options.prefixCacheMb ?? DEFAULT_PREFIX_CACHE_MB;
  if (!Number.isFinite(prefixCacheMb) || prefixCacheMb < 0)
    throw new CliError(`--prefix-cache-mb must be a number of megabytes, 0 or more, got '${options.prefixCacheMb}'`);
  return {
    authToken,
    allowOrigins: (options.allowOrigin ?? []).map(checkOrigin),
    allowHosts: (options.allowHost ?? []).map(checkHostName),
    maxBodyBytes: Math.floor(maxBodyMb * 1024 * 1024),
    maxConcurrent,
    maxQueue,
    prefixCacheBytes: Math.floor(prefixCacheMb * 1024 * 1024),
    timeouts: {
      connectMs: duration('--connect-timeout', options.connectTimeout, DEFAULT_TIMEOUTS.connectMs),
      firstByteMs: duration('--first-byte-timeout', options.firstByteTimeout, DEFAULT_TIMEOUTS.firstByteMs),
      idleMs: duration('--idle-timeout', options.idleTimeout, DEFAULT_TIMEOUTS.idleMs),
      totalMs: duration('--total-timeout', options.totalTimeout, DEFAULT_TIMEOUTS.totalMs),
    },
    heartbeatMs: duration('--heartbeat', options.heartbeat, DEFAULT_HEARTBEAT_MS),
    // 0 is allowed here: end the responses in flight at once.
    shutdownGraceMs:
      options.shutdownGrace?.trim() === '0'
        ? 0
        : duration('--shutdown-grace', options.shutdownGrace, DEFAULT_SHUTDOWN_GRACE_MS),
    logContent: options.logContent ?? false,
  };
}

/** An origin as browsers send it: `scheme://host[:port]`, nothing else; or `*`. */
function checkOrigin(value: string): string {
  const text = String(value).trim().replace(/\/+$/, '');
  if (text === '*') return text;
  let origin: string | undefined;
  try {
    origin = new URL(text).origin;
  } catch {
    origin = undefined;
  }
  if (origin === undefined || origin === 'null' || origin !== text.toLowerCase()) {
    throw new CliError(
      `--allow-origin '${value}' is not a web origin; write it as a browser sends it, e.g. http://localhost:3000 (scheme, host and port only)`,
    );
  }
  return origin;
}

/** A host name or address, without scheme, path or port; or `*`. */
function checkHostName(value: string): string {
  const text = String(value).trim();
  if (text === '*' || /^\[[0-9a-f:.]+\]$/i.test(text) || /^[a-z0-9_.-]+$/i.test(text) || /^[0-9a-f:]+$/i.test(text))
    return text;
  throw new CliError(
    `--allow-host '${value}' is not a host name; give the name alone, e.g. relay.internal (no scheme, port or path), or '*'`,
  );
}

function duration(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new CliError(`${flag} '${text}' is not a duration; use e.g. 30s, 5m or 1h30m`);
  return ms;
}
