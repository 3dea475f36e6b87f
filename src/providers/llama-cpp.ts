/**
 * llama.cpp's `llama-server` (:8080/v1 by default). No key unless started
 * with `--api-key` (LLAMA_API_KEY). Reasoning streams as `reasoning_content`
 * (how it is split is the server's `--reasoning-format`) and is accepted back.
 * Thinking is switched through `chat_template_kwargs`; gpt-oss reads
 * `reasoning_effort`. Tool-call ids are random 32-character strings. Usage
 * comes in a trailing `choices: []` chunk next to `timings`, whose `cache_n`
 * is the number of prompt tokens served from the cache.
 */
import type { ChatChunk, ChatUsage } from '../translate/chat-types.js';
import { readUsageWithGroq } from './chunk-extensions.js';
import { defineProvider, LOCAL_RUNTIME } from './define-provider.js';
import { applyChatTemplateThinking } from './effort.js';

/** The llama.cpp server profile (`--provider llama-cpp`). */
export const llamaCppProvider = defineProvider({
  id: 'llama-cpp',
  displayName: 'llama.cpp server',
  defaultBaseUrl: 'http://127.0.0.1:8080/v1',
  apiKeyEnv: 'LLAMA_API_KEY',
  ...LOCAL_RUNTIME,
  reasoningEfforts: ['none', 'low', 'medium', 'high'],
  hooks: {
    applyReasoningEffort(request, effort) {
      applyChatTemplateThinking(request, effort);
    },
    readUsage: readLlamaCppUsage,
  },
});

/** Usage, with cached prompt tokens taken from `timings.cache_n` when usage does not say. */
export function readLlamaCppUsage(chunk: ChatChunk): ChatUsage | undefined {
  const usage = readUsageWithGroq(chunk);
  if (!usage) return undefined;
  const cached = (chunk.timings as { cache_n?: unknown } | undefined)?.cache_n;
  if (typeof cached !== 'number' || typeof usage.prompt_tokens_details?.cached_tokens === 'number') return usage;
  return { ...usage, prompt_tokens_details: { ...usage.prompt_tokens_details, cached_tokens: cached } };
}
