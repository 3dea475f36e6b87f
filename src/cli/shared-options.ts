/**
 * Flags several commands share: where the relay listens (serve, and the
 * commands that tell Codex where to find it) and which upstreams it routes to.
 */
import type { Argv } from 'yargs';

/** `--host` and `--port`. */
export function withListenOptions<T>(command: Argv<T>) {
  return command
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
    .option('port', { type: 'number', default: 4444, describe: 'Port to listen on (0 picks a free port)' });
}

/** The single-upstream flags and `--model-map`; providers of the config file come on top. */
export function withRoutingOptions<T>(command: Argv<T>) {
  return command
    .option('provider', {
      type: 'string',
      describe:
        'Provider profile (see the list below) or a provider of the config file: its quirks, default URL and key variable',
    })
    .option('upstream', {
      type: 'string',
      describe: "Chat Completions base URL, usually ending in /v1 (overrides the profile's)",
    })
    .option('upstream-key-env', {
      type: 'string',
      describe:
        'Name of the environment variable holding the upstream API key; several names (A,B,C) make a pool of keys to rotate over',
    })
    .option('upstream-key', {
      type: 'string',
      alias: 'api-key',
      describe: 'The upstream API key itself (prefer --upstream-key-env)',
    })
    .option('model-map', { type: 'string', describe: 'Model names to rewrite, as source:destination,…' })
    .option('upstream-proxy', {
      type: 'string',
      describe:
        'Forward proxy for upstream requests, http(s)://[user:password@]host:port (default: HTTPS_PROXY/HTTP_PROXY, minus NO_PROXY)',
    })
    .option('upstream-ca', {
      type: 'string',
      describe: 'PEM file of private CA certificates to trust for upstreams, in addition to the system roots',
    });
}
