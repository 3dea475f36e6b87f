/**
 * Which of a provider profile's listed models an upstream model id is, for
 * its context window, efforts and image support.
 */
import type { ProviderModel, ProviderProfile } from './provider-hooks.js';

/** The profile's facts about a model: exact id first, then the longest listed prefix. */
export function findModel(profile: ProviderProfile, upstreamModel: string): ProviderModel | undefined {
  const exact = profile.models.find((model) => model.id === upstreamModel);
  if (exact) return exact;
  const bare = upstreamModel.includes('/') ? upstreamModel.slice(upstreamModel.lastIndexOf('/') + 1) : upstreamModel;
  let best: ProviderModel | undefined;
  for (const model of profile.models) {
    if (
      (upstreamModel.startsWith(model.id) || bare.startsWith(model.id)) &&
      (!best || model.id.length > best.id.length)
    )
      best = model;
  }
  return best;
}
