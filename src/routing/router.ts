/**
 * Which provider and upstream model serve a model name a client sent.
 * Lookup order: the alias table (`--model-map`, config aliases), then a
 * `provider/model` prefix naming a configured provider, then the default
 * provider with the name unchanged. Only aliases have fallbacks.
 */
import type { ProviderProfile } from '../translate/provider-hooks.js';
import type { KeyPool } from './key-pool.js';
import { proxySecrets, type UpstreamEndpoint, type UpstreamNetwork } from './provider-connection.js';

/** One configured upstream. */
export interface ConfiguredProvider {
  /** The name used in routes and `provider/model` prefixes. */
  name: string;
  profile: ProviderProfile;
  endpoint: UpstreamEndpoint;
  /** Proxy and private CAs; absent, the upstream is reached directly with the system's roots. */
  network?: UpstreamNetwork;
  /** Several keys to rotate over; absent, `endpoint.apiKey` is the key. */
  keyPool?: KeyPool;
}

/** What no log line or error may show of a provider: its keys and its proxy's password. */
export function providerSecrets(provider: ConfiguredProvider): string[] {
  const keys = provider.keyPool?.keys.map((key) => key.value) ?? [];
  const apiKey = provider.endpoint.apiKey === undefined ? [] : [provider.endpoint.apiKey];
  return [...apiKey, ...keys, ...proxySecrets(provider.network?.proxy?.url)];
}

/** Where a model alias points; `provider` defaults to the default provider. */
export interface AliasTarget {
  provider?: string;
  model: string;
  /** Tried in order when the first target fails before any byte reached the client. */
  fallbacks?: Array<{ provider?: string; model: string }>;
}

export interface ResolvedRoute {
  provider: ConfiguredProvider;
  upstreamModel: string;
  fallbacks: ResolvedRoute[];
}

/** Resolves model names to routes over a fixed set of providers and aliases. */
export class ModelRouter {
  readonly providers: ReadonlyMap<string, ConfiguredProvider>;
  readonly defaultProvider: ConfiguredProvider;
  readonly aliases: ReadonlyMap<string, AliasTarget>;

  constructor(
    providers: ConfiguredProvider[],
    defaultProviderName: string,
    aliases: ReadonlyMap<string, AliasTarget> = new Map(),
  ) {
    this.providers = new Map(providers.map((provider) => [provider.name, provider]));
    const fallback = this.providers.get(defaultProviderName);
    if (!fallback) throw new Error(`default provider '${defaultProviderName}' is not configured`);
    this.defaultProvider = fallback;
    this.aliases = aliases;
    for (const [name, alias] of aliases) {
      for (const target of [alias, ...(alias.fallbacks ?? [])]) {
        if (target.provider !== undefined && !this.providers.has(target.provider)) {
          throw new Error(`alias '${name}' points at unknown provider '${target.provider}'`);
        }
      }
    }
  }

  /** The name a client sends for a provider's model: bare on the default provider, else `provider/model`. */
  publicName(provider: ConfiguredProvider, upstreamModel: string): string {
    return provider === this.defaultProvider ? upstreamModel : `${provider.name}/${upstreamModel}`;
  }

  /** Resolves the model name a client sent. */
  resolve(model: string): ResolvedRoute {
    const alias = this.aliases.get(model);
    if (alias) {
      const route = this.target(alias.provider, alias.model);
      route.fallbacks = (alias.fallbacks ?? []).map((fallback) => this.target(fallback.provider, fallback.model));
      return route;
    }
    const slash = model.indexOf('/');
    if (slash > 0) {
      const provider = this.providers.get(model.slice(0, slash));
      if (provider) return { provider, upstreamModel: model.slice(slash + 1), fallbacks: [] };
    }
    return { provider: this.defaultProvider, upstreamModel: model, fallbacks: [] };
  }

  private target(providerName: string | undefined, model: string): ResolvedRoute {
    const provider = providerName === undefined ? this.defaultProvider : this.providers.get(providerName);
    if (!provider) throw new Error(`alias points at unknown provider '${providerName}'`);
    return { provider, upstreamModel: model, fallbacks: [] };
  }
}

/**
 * Reads a route written as `provider/model`: the part before the first slash
 * names a provider when one of that name is configured; otherwise the whole
 * text is a model of the default provider (model ids may contain slashes).
 */
export function parseRouteTarget(
  text: string,
  providerNames: ReadonlySet<string>,
): { provider?: string; model: string } {
  const slash = text.indexOf('/');
  if (slash > 0 && slash < text.length - 1 && providerNames.has(text.slice(0, slash))) {
    return { provider: text.slice(0, slash), model: text.slice(slash + 1) };
  }
  return { model: text };
}

/** Parses `src:dst,src2:dst2` into alias targets on the default provider. */
export function parseModelMap(text: string | undefined): Map<string, AliasTarget> {
  const map = new Map<string, AliasTarget>();
  if (!text) return map;
  for (const entry of text.split(',')) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const separator = trimmed.indexOf(':');
    if (separator <= 0 || separator === trimmed.length - 1) {
      throw new Error(`invalid --model-map entry '${trimmed}': expected source:destination`);
    }
    map.set(trimmed.slice(0, separator).trim(), { model: trimmed.slice(separator + 1).trim() });
  }
  return map;
}
