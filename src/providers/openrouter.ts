/**
 * OpenRouter (openrouter.ai/api/v1). Reasoning streams as `reasoning` plus
 * `reasoning_details[]`; the details must go back unchanged and in order on
 * the next request (Gemini 3, Kimi, DeepSeek and Anthropic thinking depend on
 * them), so they travel in the reasoning item's envelope. Effort is
 * `reasoning: {effort}`, not `reasoning_effort`. Errors that arrive inside a
 * stream after HTTP 200 carry the would-be HTTP status as `error.code`.
 */
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { classifyUpstreamError } from '../translate/upstream-errors.js';
import { defineProvider } from './define-provider.js';
import { fitEffort } from './effort.js';

const EFFORTS: ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/** The OpenRouter profile (`--provider openrouter`). */
export const openRouterProvider = defineProvider({
  id: 'openrouter',
  displayName: 'OpenRouter',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  apiKeyEnv: 'OPENROUTER_API_KEY',
  maxTokensParameter: 'max_tokens',
  images: true,
  reasoningEfforts: EFFORTS,
  // OpenRouter lists context windows in /models; these are for when it cannot be asked.
  models: [
    { id: 'moonshotai/kimi-k2.6', contextWindow: 262_144, images: true },
    { id: 'deepseek/deepseek-v4-pro', contextWindow: 1_048_576, images: false },
    { id: 'deepseek/deepseek-v4-flash', contextWindow: 1_048_576, images: false },
    { id: 'qwen/qwen3-coder', contextWindow: 262_144, images: false },
    { id: 'anthropic/claude-sonnet-4.5', contextWindow: 1_000_000, images: true },
    { id: 'google/gemini-3-flash-preview', contextWindow: 1_048_576, images: true },
    { id: 'x-ai/grok-code-fast-1', contextWindow: 256_000, images: false },
    { id: 'openai/gpt-oss-120b', contextWindow: 131_072, images: false },
  ],
  hooks: {
    echoReasoning(message, reasoning) {
      if (reasoning.details && reasoning.details.length > 0) message.reasoning_details = reasoning.details;
      else if (reasoning.text !== '') message.reasoning = reasoning.text;
    },
    applyReasoningEffort(request, effort, context) {
      const fitted = fitEffort(effort, context.supportedEfforts);
      if (fitted !== undefined) request.reasoning = { effort: fitted };
    },
    classifyError(status, body) {
      if (status !== undefined) return undefined;
      const code = inStreamStatus(body);
      return code === undefined ? undefined : classifyUpstreamError(code, body, undefined, 'OpenRouter');
    },
  },
});

/** The numeric `code` of an in-stream error (`{error:{code,message}}` or the bare error object). */
function inStreamStatus(body: unknown): number | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as { code?: unknown; error?: { code?: unknown } };
  const code = typeof record.error === 'object' && record.error !== null ? record.error.code : record.code;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : undefined;
}
