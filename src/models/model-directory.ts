/**
 * The routed models across all providers, with each provider's upstream list
 * cached for a while. Failures are logged and fall back to the profile's
 * known models; a failed list is asked for again sooner than a good one.
 * Concurrent callers share one upstream request.
 */
import type { ConfiguredProvider, ModelRouter } from '../routing/router.js';
import { listRoutedModels, type RoutedModel } from './routed-models.js';
import { readUpstreamModelList, type UpstreamModel } from './upstream-model-list.js';

export interface ModelDirectoryOptions {
  router: ModelRouter;
  /** Fetches a provider's raw `/models` body (throws when it cannot). */
  fetchList: (provider: ConfiguredProvider) => Promise<unknown>;
  /** Told when a provider's list cannot be used (logged by the server, printed by the CLI). */
  onListProblem: (provider: ConfiguredProvider, problem: string) => void;
  /** How long an upstream list is reused. */
  ttlMs: number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

interface CacheEntry {
  expiresAt: number;
  models: Promise<UpstreamModel[] | undefined>;
}

/** A failed list is retried after this long at most, so a provider that comes back shows up soon. */
const FAILURE_TTL_MS = 30_000;

/** The routed models of one relay, with the upstream lists cached per provider. */
export class ModelDirectory {
  private readonly options: ModelDirectoryOptions;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: ModelDirectoryOptions) {
    this.options = options;
  }

  /**
   * Every routed model; `refresh` asks every upstream again instead of using
   * the cache. `extraNames` are described too when no list has them.
   */
  async list(refresh = false, extraNames: readonly string[] = []): Promise<RoutedModel[]> {
    const providers = [...this.options.router.providers.values()];
    const lists = await Promise.all(providers.map((provider) => this.upstreamList(provider, refresh)));
    return listRoutedModels(
      this.options.router,
      new Map(providers.map((provider, index) => [provider.name, lists[index]])),
      extraNames,
    );
  }

  private upstreamList(provider: ConfiguredProvider, refresh: boolean): Promise<UpstreamModel[] | undefined> {
    const cached = this.cache.get(provider.name);
    if (cached && !refresh && cached.expiresAt > this.options.now()) return cached.models;
    const entry: CacheEntry = {
      expiresAt: this.options.now() + this.options.ttlMs,
      models: Promise.resolve(undefined),
    };
    entry.models = this.fetch(provider, entry);
    this.cache.set(provider.name, entry);
    return entry.models;
  }

  private async fetch(provider: ConfiguredProvider, entry: CacheEntry): Promise<UpstreamModel[] | undefined> {
    try {
      const models = readUpstreamModelList(await this.options.fetchList(provider));
      if (models.length === 0) this.options.onListProblem(provider, 'the upstream model list is empty');
      return models;
    } catch (error) {
      this.options.onListProblem(provider, (error as Error).message);
      entry.expiresAt = Math.min(entry.expiresAt, this.options.now() + FAILURE_TTL_MS);
      return undefined;
    }
  }
}
