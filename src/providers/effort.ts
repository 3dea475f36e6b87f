/** Reasoning effort levels, and fitting a requested level to what a model accepts. */
import type { ReasoningEffort } from '../translate/request/responses-schema.js';

export const EFFORT_ORDER: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

/**
 * The accepted level nearest to the requested one; undefined when the model has
 * no effort control, or when `none` is asked of a model that cannot turn it off.
 */
export function fitEffort(requested: ReasoningEffort, supported: readonly ReasoningEffort[]): ReasoningEffort | undefined {
  if (supported.length === 0) return undefined;
  if (supported.includes(requested)) return requested;
  if (requested === 'none') return undefined;
  const wanted = EFFORT_ORDER.indexOf(requested);
  let best: ReasoningEffort | undefined;
  let bestDistance = Infinity;
  for (const level of supported) {
    if (level === 'none') continue;
    const distance = Math.abs(EFFORT_ORDER.indexOf(level) - wanted);
    // On a tie prefer the higher level: asking for more thought is the safer miss.
    if (distance < bestDistance || (distance === bestDistance && EFFORT_ORDER.indexOf(level) > EFFORT_ORDER.indexOf(best!))) {
      best = level;
      bestDistance = distance;
    }
  }
  return best;
}
