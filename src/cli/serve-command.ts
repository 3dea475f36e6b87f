/**
 * `responses-relay serve` (the default command): checks the options, builds
 * the router and starts listening. Problems with the options are one-line
 * CliErrors, never stack traces.
 */
import { createLogger, type LogLevel } from '../log.js';
import { ModelRouter, parseModelMap, type ConfiguredProvider } from '../routing/router.js';
import { startRelayServer, type RunningRelay } from '../server/start-server.js';
import { CliError } from './cli-error.js';
import { resolveProviderProfile } from './provider-option.js';

export interface ServeOptions {
  host: string;
  port: number;
  provider?: string | undefined;
  upstream?: string | undefined;
  upstreamKeyEnv?: string | undefined;
  upstreamKey?: string | undefined;
  modelMap?: string | undefined;
  logLevel: LogLevel;
}

/** True for upstreams on this machine, which usually need no key (Ollama, vLLM, llama.cpp, LM Studio). */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Resolves the provider profile, the upstream and its key from the options and the environment. */
export function resolveUpstream(options: ServeOptions, environment: NodeJS.ProcessEnv): ConfiguredProvider {
  const profile = resolveProviderProfile(options.provider);
  const baseUrl = options.upstream || profile.defaultBaseUrl;
  if (!baseUrl) {
    throw new CliError('no upstream: pass --provider <name> (e.g. deepseek) or --upstream <base URL, e.g. https://api.deepseek.com/v1>, or set RESPONSES_RELAY_PROVIDER / RESPONSES_RELAY_UPSTREAM');
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CliError(`--upstream '${baseUrl}' is not a URL; expected e.g. https://api.deepseek.com/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--upstream '${baseUrl}' must start with http:// or https://`);
  }
  let apiKey = options.upstreamKey || undefined;
  if (!apiKey && options.upstreamKeyEnv) {
    apiKey = environment[options.upstreamKeyEnv] || undefined;
    if (!apiKey) throw new CliError(`environment variable ${options.upstreamKeyEnv} (named by --upstream-key-env) is not set or empty`);
  }
  if (!apiKey && profile.apiKeyEnv) apiKey = environment[profile.apiKeyEnv] || undefined;
  if (!apiKey && profile.requiresApiKey) {
    throw new CliError(`no API key for ${profile.displayName}: set ${profile.apiKeyEnv ?? 'its key variable'}, or pass --upstream-key-env <VARIABLE> or --upstream-key <key>`);
  }
  if (!apiKey && !profile.local && !isLoopbackUrl(url)) {
    throw new CliError(`no API key for ${url.origin}: pass --upstream-key-env <VARIABLE holding the key> or --upstream-key <key>`);
  }
  return { name: profile.id, profile, endpoint: { baseUrl, apiKey } };
}

/** Starts the relay and prints `listening on …` once it accepts connections. */
export async function runServe(options: ServeOptions, environment: NodeJS.ProcessEnv = process.env): Promise<RunningRelay> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new CliError(`--port must be a whole number from 0 to 65535, got '${options.port}'`);
  }
  const provider = resolveUpstream(options, environment);
  let aliases;
  try {
    aliases = parseModelMap(options.modelMap);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const logger = createLogger(options.logLevel);
  const router = new ModelRouter([provider], provider.name, aliases);
  let relay: RunningRelay;
  try {
    relay = await startRelayServer({ host: options.host, port: options.port, router, logger });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${options.port} on ${options.host} is already in use; pick another with --port`);
    if (code === 'EACCES') throw new CliError(`not allowed to listen on ${options.host}:${options.port}`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on host '${options.host}'`);
    throw error;
  }
  process.stdout.write(`listening on ${relay.url}\n`);
  logger.info({ url: relay.url, provider: provider.profile.id, upstream: provider.endpoint.baseUrl }, 'relay ready');
  const shutdown = () => {
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return relay;
}
