/** Reasoning effort levels, and fitting a requested level to what a model accepts. */

import type { ChatRequest } from '../translate/chat-types.js';
import type { ReasoningEffort } from '../translate/request/responses-schema.js';

/** Effort levels from least to most thought. */
export const EFFORT_ORDER: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'];

/**
 * The accepted level nearest to the requested one; undefined when the model has
 * no effort control, or when `none` is asked of a model that cannot turn it off.
 */
export function fitEffort(
  requested: ReasoningEffort,
  supported: readonly ReasoningEffort[],
): ReasoningEffort | undefined {
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
    if (
      distance < bestDistance ||
      (distance === bestDistance && EFFORT_ORDER.indexOf(level) > EFFORT_ORDER.indexOf(best!))
    ) {
      best = level;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Servers that render the model's chat template themselves (vLLM, llama.cpp)
 * switch thinking with template variables: `enable_thinking` (Qwen3 and
 * others) and `thinking` (DeepSeek V3.1+); gpt-oss reads `reasoning_effort`.
 * Templates ignore variables they do not use, so both are set.
 */
export function applyChatTemplateThinking(request: ChatRequest, effort: ReasoningEffort): void {
  const thinking = effort !== 'none';
  const existing = (request.chat_template_kwargs as Record<string, unknown> | undefined) ?? {};
  request.chat_template_kwargs = { ...existing, enable_thinking: thinking, thinking };
  if (!thinking) return;
  const fitted = fitEffort(effort, ['low', 'medium', 'high']);
  if (fitted !== undefined) request.reasoning_effort = fitted;
}
