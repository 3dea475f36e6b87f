/**
 * Usage as the Responses API reports it, and the generic conversion from the
 * shapes Chat Completions providers use. Codex decides when to compact from
 * these numbers, so they must be the provider's real counts.
 */
import type { ChatChunk, ChatUsage } from './chat-types.js';

export interface Usage {
  inputTokens: number;
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (OpenRouter reports them). */
  cacheWriteTokens?: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
}

/** Finds usage at the top level or in `choices[0].usage` (Kimi); provider hooks look further. */
export function readChunkUsage(chunk: ChatChunk): ChatUsage | undefined {
  if (isChatUsage(chunk.usage)) return chunk.usage;
  const choiceUsage = chunk.choices?.[0]?.usage;
  if (isChatUsage(choiceUsage)) return choiceUsage;
  return undefined;
}

/** Whether a value has the shape of Chat usage (a prompt token count at least). */
export function isChatUsage(value: unknown): value is ChatUsage {
  return value !== null && typeof value === 'object' && typeof (value as ChatUsage).prompt_tokens === 'number';
}

/** Converts Chat usage, reading cached tokens from any provider's field. */
export function normalizeChatUsage(usage: ChatUsage): Usage {
  const inputTokens = count(usage.prompt_tokens);
  let outputTokens = count(usage.completion_tokens);
  const cachedInputTokens = count(
    usage.prompt_tokens_details?.cached_tokens ??
      (usage.prompt_cache_hit_tokens as number | undefined) ??
      (usage.cached_tokens as number | undefined),
  );
  const cacheWriteTokens = count(usage.prompt_tokens_details?.cache_write_tokens);
  const reasoningTokens = count(
    usage.completion_tokens_details?.reasoning_tokens ?? (usage.reasoning_tokens as number | undefined),
  );
  // Responses output_tokens include reasoning. Most providers count it inside
  // completion_tokens; some (xAI) report it beside them, which their total shows.
  if (reasoningTokens > 0 && usage.total_tokens === inputTokens + outputTokens + reasoningTokens)
    outputTokens += reasoningTokens;
  const totalTokens =
    typeof usage.total_tokens === 'number' && usage.total_tokens > 0 ? usage.total_tokens : inputTokens + outputTokens;
  return { inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens, reasoningTokens, totalTokens };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** The Responses `usage` object. */
export function toResponsesUsage(usage: Usage) {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens, cache_write_tokens: usage.cacheWriteTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
  };
}
