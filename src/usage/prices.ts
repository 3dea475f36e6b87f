/**
 * Estimated cost of a turn at list price, and what cached input saved.
 * Output tokens include reasoning tokens (as the upstream reports them), and
 * input tokens include the cached ones.
 */
import type { ModelPrice } from '../translate/provider-hooks.js';

export interface TurnTokens {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
}

export interface TurnCost {
  costUsd: number | null;
  savedUsd: number | null;
}

/** The price of `model` in a profile's price list (exact id, then case-insensitive). */
export function findPrice(prices: readonly ModelPrice[], model: string): ModelPrice | undefined {
  return (
    prices.find((price) => price.model === model) ??
    prices.find((price) => price.model.toLowerCase() === model.toLowerCase())
  );
}

/** Cost and cache savings in US dollars; both null without a price. */
export function costOf(tokens: TurnTokens, price: ModelPrice | undefined): TurnCost {
  if (!price) return { costUsd: null, savedUsd: null };
  const cached = Math.min(tokens.cachedInputTokens, tokens.inputTokens);
  const cachedPrice = price.cachedInputPerMillion ?? price.inputPerMillion;
  const cost =
    ((tokens.inputTokens - cached) * price.inputPerMillion +
      cached * cachedPrice +
      tokens.outputTokens * price.outputPerMillion) /
    1_000_000;
  const saved = (cached * (price.inputPerMillion - cachedPrice)) / 1_000_000;
  return { costUsd: cost, savedUsd: saved };
}
