/**
 * The network side of a provider's settings: its forward proxy, its private
 * CAs and its keys (one, or a pool of several variables). Problems are
 * one-line CliErrors naming the flag or the config key.
 */

import { KeyPool, type PoolKey } from '../routing/key-pool.js';
import type { UpstreamNetwork, UpstreamProxy } from '../routing/provider-connection.js';
import { proxyFromEnvironment, proxyUrlProblem } from '../upstream/proxy-settings.js';
import { readCertificateFile, trustedCertificates } from '../upstream/trusted-certificates.js';
import { CliError } from './cli-error.js';

/** The relay-wide network flags (they apply to every provider). */
export interface NetworkFlags {
  upstreamProxy?: string | undefined;
  upstreamCa?: string | undefined;
}

/** A provider's own network settings from the config file, with where they are written. */
export interface ProviderNetworkSettings {
  proxy: string | undefined;
  caFile: string | undefined;
  /** e.g. `providers.work` (for messages). */
  where: string;
}

/**
 * The proxy and CAs of a provider: its own proxy (`none`: none at all), else `--upstream-proxy`,
 * else HTTPS_PROXY/HTTP_PROXY (unless NO_PROXY exempts its host); CAs from
 * `--upstream-ca` and its `ca_file`. Undefined when it is reached directly
 * with the system's roots.
 */
export function resolveNetwork(
  baseUrl: URL,
  flags: NetworkFlags,
  own: ProviderNetworkSettings | undefined,
  environment: NodeJS.ProcessEnv,
): UpstreamNetwork | undefined {
  let proxy: UpstreamProxy | undefined;
  if (own?.proxy === 'none') proxy = undefined;
  else if (own?.proxy) proxy = { url: own.proxy, source: `${own.where}.proxy` };
  else if (flags.upstreamProxy?.trim()) proxy = { url: flags.upstreamProxy.trim(), source: '--upstream-proxy' };
  else proxy = proxyFromEnvironment(baseUrl, environment);
  if (proxy) {
    const problem = proxyUrlProblem(proxy.url);
    if (problem) throw new CliError(`${proxy.source} ${problem}`);
  }
  const caFiles = [flags.upstreamCa?.trim() || undefined, own?.caFile].filter(
    (file): file is string => file !== undefined,
  );
  const certificates: string[] = [];
  for (const file of caFiles) {
    try {
      certificates.push(...readCertificateFile(file));
    } catch (error) {
      const option = file === own?.caFile ? `${own.where}.ca_file` : '--upstream-ca';
      throw new CliError(`${option}: ${(error as Error).message}`);
    }
  }
  if (!proxy && caFiles.length === 0) return undefined;
  return {
    ...(proxy ? { proxy } : {}),
    caFiles,
    trusted: caFiles.length > 0 ? trustedCertificates(certificates, environment) : [],
  };
}

/**
 * The keys named by a list of variables. With one variable this is the
 * single key as before; with several, a pool. A variable that is not set is
 * an error when keys are required (`subject` names where the list came from).
 */
export function resolveKeyVariables(
  variables: readonly string[],
  environment: NodeJS.ProcessEnv,
  subject: string,
  requireKey: boolean,
): { apiKey: string | undefined; keyPool?: KeyPool } {
  const keys: PoolKey[] = [];
  for (const variable of variables) {
    const value = environment[variable] || undefined;
    if (value === undefined) {
      if (requireKey) throw new CliError(`environment variable ${variable} (named by ${subject}) is not set or empty`);
      continue;
    }
    keys.push({ variable, value });
  }
  if (keys.length < 2) return { apiKey: keys[0]?.value };
  return { apiKey: keys[0]!.value, keyPool: new KeyPool(keys) };
}

/** `A,B,C` as a list of variable names. */
export function splitVariableList(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new CliError(
        `--upstream-key-env: '${name}' is not an environment variable name (give names, e.g. KEY_A,KEY_B, not keys)`,
      );
  }
  return names;
}
