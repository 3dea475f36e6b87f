/**
 * Every model name the relay routes, with what is known about it: the
 * aliases first, then each provider's models (its upstream list, or the
 * profile's known models when the upstream says nothing). The upstream's
 * own figures win over the profile's; effort levels come from the profile.
 * Pure: the upstream lists are passed in.
 */

import type { ConfiguredProvider, ModelRouter } from '../routing/router.js';
import { findModel } from '../translate/find-model.js';
import type { ProviderModel } from '../translate/provider-hooks.js';
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { CODEX_SAFE_PREFIX } from './slugs.js';
import type { UpstreamModel } from './upstream-model-list.js';

export interface RoutedModel {
  /** The name a client sends. */
  id: string;
  provider: ConfiguredProvider;
  upstreamModel: string;
  /** Set for aliases: the names of the fallback routes, in order. */
  alias?: { fallbacks: string[] };
  contextWindow?: number;
  maxOutputTokens?: number;
  /** Reasoning levels the provider accepts for the model; empty when it has no control. */
  reasoningEfforts: ReasoningEffort[];
  defaultReasoningEffort?: ReasoningEffort;
  images: boolean;
  /** Whether the profile or the config file describes the model (not only the upstream list). */
  known: boolean;
  /** The upstream's own entry, when its list had the model. */
  upstream?: UpstreamModel;
}

/** Upstream lists by provider name; undefined where the list could not be read. */
export type UpstreamLists = ReadonlyMap<string, UpstreamModel[] | undefined>;

/**
 * Lists the routed models: aliases, then the default provider's models, then
 * the others'. `extraNames` are added at the end when not listed already
 * (a model someone asked for that no list mentions).
 */
export function listRoutedModels(
  router: ModelRouter,
  upstreamLists: UpstreamLists,
  extraNames: readonly string[] = [],
): RoutedModel[] {
  const result: RoutedModel[] = [];
  const seen = new Set<string>();
  const add = (model: RoutedModel) => {
    if (seen.has(model.id)) return;
    seen.add(model.id);
    result.push(model);
  };

  for (const name of router.aliases.keys()) {
    // Catalog spellings of aliases (`relay-gpt-…`) route like the alias itself; list the alias once.
    if (name.startsWith(CODEX_SAFE_PREFIX) && router.aliases.has(name.slice(CODEX_SAFE_PREFIX.length))) continue;
    const route = router.resolve(name);
    const facts = describeModel(
      route.provider,
      route.upstreamModel,
      findUpstream(upstreamLists, route.provider, route.upstreamModel),
    );
    add({
      ...facts,
      id: name,
      alias: { fallbacks: route.fallbacks.map((fallback) => `${fallback.provider.name}/${fallback.upstreamModel}`) },
    });
  }

  const providers = [
    router.defaultProvider,
    ...[...router.providers.values()].filter((provider) => provider !== router.defaultProvider),
  ];
  for (const provider of providers) {
    const upstream = upstreamLists.get(provider.name);
    const ids =
      upstream && upstream.length > 0
        ? upstream.map((model) => model.id)
        : provider.profile.models.map((model) => model.id);
    for (const id of ids) {
      add({
        ...describeModel(
          provider,
          id,
          upstream?.find((model) => model.id === id),
        ),
        id: router.publicName(provider, id),
      });
    }
  }
  for (const name of extraNames) {
    const route = router.resolve(name);
    // Another spelling of a listed model (`provider/model` for a default-provider model) adds nothing.
    if (findListed(result, route.provider, route.upstreamModel) && route.fallbacks.length === 0) continue;
    add({
      ...describeModel(
        route.provider,
        route.upstreamModel,
        findUpstream(upstreamLists, route.provider, route.upstreamModel),
      ),
      id: name,
    });
  }
  return result;
}

/** The listed provider model (not alias) for a provider and upstream model. */
export function findListed(
  models: readonly RoutedModel[],
  provider: ConfiguredProvider,
  upstreamModel: string,
): RoutedModel | undefined {
  return models.find((model) => !model.alias && model.provider === provider && model.upstreamModel === upstreamModel);
}

function findUpstream(
  lists: UpstreamLists,
  provider: ConfiguredProvider,
  upstreamModel: string,
): UpstreamModel | undefined {
  return lists.get(provider.name)?.find((model) => model.id === upstreamModel);
}

/** What is known about one model of a provider (named `upstreamModel` until the caller names it). */
function describeModel(
  provider: ConfiguredProvider,
  upstreamModel: string,
  upstream: UpstreamModel | undefined,
): RoutedModel {
  const profile = provider.profile;
  const known: ProviderModel | undefined = findModel(profile, upstreamModel);
  let reasoningEfforts = [...(known?.reasoningEfforts ?? profile.reasoningEfforts)];
  // A list that says the model takes no reasoning parameter overrides the profile's general levels.
  if (upstream?.reasoning === false && known?.reasoningEfforts === undefined) reasoningEfforts = [];
  const model: RoutedModel = {
    id: upstreamModel,
    provider,
    upstreamModel,
    reasoningEfforts,
    images: upstream?.images ?? known?.images ?? profile.images,
    known: known !== undefined,
  };
  const contextWindow = upstream?.contextWindow ?? known?.contextWindow;
  if (contextWindow !== undefined) model.contextWindow = contextWindow;
  const maxOutputTokens = upstream?.maxOutputTokens ?? known?.maxOutputTokens;
  if (maxOutputTokens !== undefined) model.maxOutputTokens = maxOutputTokens;
  const defaultEffort = known?.defaultReasoningEffort ?? profile.defaultReasoningEffort;
  if (reasoningEfforts.length > 0 && defaultEffort !== undefined && reasoningEfforts.includes(defaultEffort))
    model.defaultReasoningEffort = defaultEffort;
  if (upstream) model.upstream = upstream;
  return model;
}
