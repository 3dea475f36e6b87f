/**
 * Turns provider settings into a configured upstream: the base URL and the
 * key, from flags, the config file, the profile's defaults and the
 * environment, in that order. Problems are one-line CliErrors.
 */

import type { ConfiguredProvider } from '../routing/router.js';
import { CliError } from './cli-error.js';
import type { FileProvider } from './config-file.js';
import { keyPath } from './config-file.js';
import { resolveProviderProfile } from './provider-option.js';
import { type NetworkFlags, resolveKeyVariables, resolveNetwork, splitVariableList } from './resolve-network.js';

/** The single-upstream flags (`--provider`, `--upstream`, `--upstream-key-env`, `--upstream-key`), and the network flags every provider follows. */
export interface UpstreamFlags extends NetworkFlags {
  provider?: string | undefined;
  upstream?: string | undefined;
  upstreamKeyEnv?: string | undefined;
  upstreamKey?: string | undefined;
}

/** True for upstreams on this machine, which usually need no key (Ollama, vLLM, llama.cpp, LM Studio). */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * The provider of the single-upstream form. `fileProvider` is the config
 * file's provider that `--provider` names (by name or profile): its settings
 * sit between the flags and the profile's defaults. `requireKey: false` skips the key checks (commands
 * that only describe the setup).
 */
export function resolveUpstream(
  flags: UpstreamFlags,
  environment: NodeJS.ProcessEnv,
  fileProvider?: FileProvider,
  requireKey = true,
): ConfiguredProvider {
  const profile = fileProvider?.profile ?? resolveProviderProfile(flags.provider);
  const baseUrl = flags.upstream || fileProvider?.baseUrl || profile.defaultBaseUrl;
  if (!baseUrl) {
    throw new CliError(
      'no upstream: pass --provider <name> (e.g. deepseek) or --upstream <base URL, e.g. https://api.deepseek.com/v1>, or set RESPONSES_RELAY_PROVIDER / RESPONSES_RELAY_UPSTREAM, or declare providers in a config file (`responses-relay init`)',
    );
  }
  const url = checkedUrl(baseUrl, `--upstream '${baseUrl}'`);
  let apiKey = flags.upstreamKey || undefined;
  let keyPool: ConfiguredProvider['keyPool'];
  if (!apiKey && flags.upstreamKeyEnv) {
    ({ apiKey, keyPool } = resolveKeyVariables(
      splitVariableList(flags.upstreamKeyEnv),
      environment,
      '--upstream-key-env',
      requireKey,
    ));
  } else if (!apiKey && fileProvider?.apiKeyEnvs) {
    ({ apiKey, keyPool } = resolveKeyVariables(
      fileProvider.apiKeyEnvs,
      environment,
      `${keyPath(['providers', fileProvider.name, 'api_key_envs'])}`,
      requireKey,
    ));
  }
  const keyVariable = fileProvider?.apiKeyEnv ?? profile.apiKeyEnv;
  if (!apiKey && !flags.upstreamKeyEnv && !fileProvider?.apiKeyEnvs && keyVariable)
    apiKey = environment[keyVariable] || undefined;
  if (!apiKey && requireKey && profile.requiresApiKey) {
    throw new CliError(
      `no API key for ${profile.displayName}: set ${keyVariable ?? 'its key variable'}, or pass --upstream-key-env <VARIABLE> or --upstream-key <key>`,
    );
  }
  if (!apiKey && requireKey && !profile.local && !isLoopbackUrl(url)) {
    throw new CliError(
      `no API key for ${url.origin}: pass --upstream-key-env <VARIABLE holding the key> or --upstream-key <key>`,
    );
  }
  const name = fileProvider?.name ?? profile.id;
  const network = resolveNetwork(url, flags, fileProvider && ownNetwork(fileProvider), environment);
  return {
    name,
    profile: withFileModels(profile, fileProvider),
    endpoint: endpoint(baseUrl, apiKey, fileProvider),
    ...optional(network, keyPool),
  };
}

/** A provider declared in the config file. */
export function resolveFileProvider(
  provider: FileProvider,
  environment: NodeJS.ProcessEnv,
  configPath: string,
  requireKey = true,
  networkFlags: NetworkFlags = {},
): ConfiguredProvider {
  const { profile } = provider;
  const baseUrl = provider.baseUrl ?? profile.defaultBaseUrl;
  const where = `${configPath}: ${keyPath(['providers', provider.name])}`;
  if (!baseUrl)
    throw new CliError(`${where}: base_url is required (the ${profile.displayName} profile has no default URL)`);
  const url = checkedUrl(baseUrl, `${where}.base_url '${baseUrl}'`);
  const keyVariable = provider.apiKeyEnv ?? profile.apiKeyEnv;
  const { apiKey, keyPool } = provider.apiKeyEnvs
    ? resolveKeyVariables(provider.apiKeyEnvs, environment, `${where}.api_key_envs`, requireKey)
    : { apiKey: keyVariable ? environment[keyVariable] || undefined : undefined, keyPool: undefined };
  if (!apiKey && requireKey) {
    if (provider.apiKeyEnv)
      throw new CliError(
        `${where}: environment variable ${provider.apiKeyEnv} (named by api_key_env) is not set or empty`,
      );
    if (profile.requiresApiKey)
      throw new CliError(
        `${where}: no API key for ${profile.displayName}: set ${keyVariable ?? 'the variable named by api_key_env'}`,
      );
    if (!profile.local && !isLoopbackUrl(url))
      throw new CliError(`${where}: no API key for ${url.origin}: name the variable holding it with api_key_env`);
  }
  const network = resolveNetwork(url, networkFlags, ownNetwork(provider), environment);
  return {
    name: provider.name,
    profile: withFileModels(profile, provider),
    endpoint: endpoint(baseUrl, apiKey, provider),
    ...optional(network, keyPool),
  };
}

function ownNetwork(provider: FileProvider) {
  return { proxy: provider.proxy, caFile: provider.caFile, where: keyPath(['providers', provider.name]) };
}

/** The optional parts of a provider, present only when set. */
function optional(
  network: ConfiguredProvider['network'],
  keyPool: ConfiguredProvider['keyPool'],
): Pick<ConfiguredProvider, 'network' | 'keyPool'> {
  return { ...(network ? { network } : {}), ...(keyPool ? { keyPool } : {}) };
}

function checkedUrl(baseUrl: string, subject: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CliError(`${subject} is not a URL; expected e.g. https://api.deepseek.com/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`${subject} must start with http:// or https://`);
  return url;
}

function endpoint(
  baseUrl: string,
  apiKey: string | undefined,
  fileProvider: FileProvider | undefined,
): ConfiguredProvider['endpoint'] {
  const headers = fileProvider?.headers ?? {};
  return Object.keys(headers).length > 0 ? { baseUrl, apiKey, headers } : { baseUrl, apiKey };
}

/** The profile with the file's model and price declarations first, so they win over the profile's own. */
function withFileModels(
  profile: ConfiguredProvider['profile'],
  fileProvider: FileProvider | undefined,
): ConfiguredProvider['profile'] {
  if (!fileProvider || (fileProvider.models.length === 0 && fileProvider.prices.length === 0)) return profile;
  return {
    ...profile,
    models: [...fileProvider.models, ...profile.models],
    prices: [...fileProvider.prices, ...profile.prices],
  };
}
