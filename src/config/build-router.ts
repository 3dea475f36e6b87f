/**
 * The router for a run of the relay: the providers of the config file plus
 * the single upstream given by flags, the aliases of the file plus
 * `--model-map`. Flags win over the file, the file over the profiles'
 * defaults.
 */

import { codexAliasName } from '../models/slugs.js';
import { findProviderProfile } from '../providers/index.js';
import {
  type AliasTarget,
  type ConfiguredProvider,
  ModelRouter,
  parseModelMap,
  parseRouteTarget,
} from '../routing/router.js';
import { CliError } from './cli-error.js';
import type { RelayConfigFile } from './config-file.js';
import { keyPath } from './config-file.js';
import { resolveFileProvider, resolveUpstream, type UpstreamFlags } from './resolve-provider.js';

export interface RoutingFlags extends UpstreamFlags {
  modelMap?: string | undefined;
}

export interface BuildRouterOptions {
  /** False for commands that only describe the setup: missing keys are not errors there. */
  requireKeys: boolean;
}

/** Builds the router from flags, the config file (if any) and the environment. */
export function buildRouter(
  flags: RoutingFlags,
  file: RelayConfigFile | undefined,
  environment: NodeJS.ProcessEnv,
  options: BuildRouterOptions,
): ModelRouter {
  const fileProviders = file?.providers ?? [];
  const singleForm = Boolean(flags.provider?.trim() || flags.upstream?.trim());
  if (!singleForm && fileProviders.length > 0 && (flags.upstreamKeyEnv || flags.upstreamKey)) {
    throw new CliError(
      `--upstream-key-env and --upstream-key apply to the single upstream (--provider or --upstream); providers in ${file!.path} name their key with api_key_env`,
    );
  }

  const providers: ConfiguredProvider[] = [];
  let defaultName: string;
  if (singleForm || fileProviders.length === 0) {
    // The flags' provider merges with the file's provider of that name (or of
    // that profile) and becomes the default.
    const requested = flags.provider?.trim() || undefined;
    const profileId = requested === undefined ? 'generic' : findProviderProfile(requested)?.id;
    const sameName =
      fileProviders.find((provider) => provider.name === requested) ??
      fileProviders.find((provider) => provider.name === profileId);
    const single = resolveUpstream(flags, environment, sameName, options.requireKeys);
    for (const provider of fileProviders) {
      if (provider !== sameName)
        providers.push(resolveFileProvider(provider, environment, file!.path, options.requireKeys, flags));
    }
    providers.unshift(single);
    defaultName = single.name;
  } else {
    for (const provider of fileProviders)
      providers.push(resolveFileProvider(provider, environment, file!.path, options.requireKeys, flags));
    defaultName = file!.defaultProvider ?? fileProviders[0]!.name;
  }

  const names = new Set(providers.map((provider) => provider.name));
  const aliases = new Map<string, AliasTarget>();
  for (const alias of file?.aliases ?? []) {
    const target: AliasTarget = { ...parseRouteTarget(alias.route, names) };
    if (alias.fallbacks.length > 0)
      target.fallbacks = alias.fallbacks.map((fallback) => parseRouteTarget(fallback, names));
    if (names.has(alias.name)) {
      throw new CliError(
        `${file!.path}: ${keyPath(['aliases', alias.name])}: an alias cannot have the name of a provider`,
      );
    }
    aliases.set(alias.name, target);
  }
  let mapped: Map<string, AliasTarget>;
  try {
    mapped = parseModelMap(flags.modelMap);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  for (const [name, target] of mapped) aliases.set(name, target);
  // The catalog names of aliases that start like OpenAI models route the same way.
  for (const [name, target] of [...aliases]) {
    const codexName = codexAliasName(name);
    if (codexName !== name && !aliases.has(codexName)) aliases.set(codexName, target);
  }
  return new ModelRouter(providers, defaultName, aliases);
}
