/**
 * Turns provider settings into a configured upstream: the base URL and the
 * key, from flags, the config file, the profile's defaults and the
 * environment, in that order. Problems are one-line CliErrors.
 */
import { CliError } from '../cli/cli-error.js';
import { resolveProviderProfile } from '../cli/provider-option.js';
import type { ConfiguredProvider } from '../routing/router.js';
import type { FileProvider } from './config-file.js';
import { keyPath } from './config-file.js';

/** The single-upstream flags (`--provider`, `--upstream`, `--upstream-key-env`, `--upstream-key`). */
export interface UpstreamFlags {
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
    throw new CliError('no upstream: pass --provider <name> (e.g. deepseek) or --upstream <base URL, e.g. https://api.deepseek.com/v1>, or set RESPONSES_RELAY_PROVIDER / RESPONSES_RELAY_UPSTREAM, or declare providers in a config file (`responses-relay init`)');
  }
  const url = checkedUrl(baseUrl, `--upstream '${baseUrl}'`);
  let apiKey = flags.upstreamKey || undefined;
  if (!apiKey && flags.upstreamKeyEnv) {
    apiKey = environment[flags.upstreamKeyEnv] || undefined;
    if (!apiKey && requireKey) throw new CliError(`environment variable ${flags.upstreamKeyEnv} (named by --upstream-key-env) is not set or empty`);
  }
  const keyVariable = fileProvider?.apiKeyEnv ?? profile.apiKeyEnv;
  if (!apiKey && !flags.upstreamKeyEnv && keyVariable) apiKey = environment[keyVariable] || undefined;
  if (!apiKey && requireKey && profile.requiresApiKey) {
    throw new CliError(`no API key for ${profile.displayName}: set ${keyVariable ?? 'its key variable'}, or pass --upstream-key-env <VARIABLE> or --upstream-key <key>`);
  }
  if (!apiKey && requireKey && !profile.local && !isLoopbackUrl(url)) {
    throw new CliError(`no API key for ${url.origin}: pass --upstream-key-env <VARIABLE holding the key> or --upstream-key <key>`);
  }
  const name = fileProvider?.name ?? profile.id;
  return { name, profile: withFileModels(profile, fileProvider), endpoint: endpoint(baseUrl, apiKey, fileProvider) };
}

/** A provider declared in the config file. */
export function resolveFileProvider(provider: FileProvider, environment: NodeJS.ProcessEnv, configPath: string, requireKey = true): ConfiguredProvider {
  const { profile } = provider;
  const baseUrl = provider.baseUrl ?? profile.defaultBaseUrl;
  const where = `${configPath}: ${keyPath(['providers', provider.name])}`;
  if (!baseUrl) throw new CliError(`${where}: base_url is required (the ${profile.displayName} profile has no default URL)`);
  const url = checkedUrl(baseUrl, `${where}.base_url '${baseUrl}'`);
  const keyVariable = provider.apiKeyEnv ?? profile.apiKeyEnv;
  const apiKey = keyVariable ? environment[keyVariable] || undefined : undefined;
  if (!apiKey && requireKey) {
    if (provider.apiKeyEnv) throw new CliError(`${where}: environment variable ${provider.apiKeyEnv} (named by api_key_env) is not set or empty`);
    if (profile.requiresApiKey) throw new CliError(`${where}: no API key for ${profile.displayName}: set ${keyVariable ?? 'the variable named by api_key_env'}`);
    if (!profile.local && !isLoopbackUrl(url)) throw new CliError(`${where}: no API key for ${url.origin}: name the variable holding it with api_key_env`);
  }
  return { name: provider.name, profile: withFileModels(profile, provider), endpoint: endpoint(baseUrl, apiKey, provider) };
}

function checkedUrl(baseUrl: string, subject: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CliError(`${subject} is not a URL; expected e.g. https://api.deepseek.com/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`${subject} must start with http:// or https://`);
  return url;
}

function endpoint(baseUrl: string, apiKey: string | undefined, fileProvider: FileProvider | undefined): ConfiguredProvider['endpoint'] {
  const headers = fileProvider?.headers ?? {};
  return Object.keys(headers).length > 0 ? { baseUrl, apiKey, headers } : { baseUrl, apiKey };
}

/** The profile with the file's model and price declarations first, so they win over the profile's own. */
function withFileModels(profile: ConfiguredProvider['profile'], fileProvider: FileProvider | undefined): ConfiguredProvider['profile'] {
  if (!fileProvider || (fileProvider.models.length === 0 && fileProvider.prices.length === 0)) return profile;
  return { ...profile, models: [...fileProvider.models, ...profile.models], prices: [...fileProvider.prices, ...profile.prices] };
}
