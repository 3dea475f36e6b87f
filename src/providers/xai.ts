/**
 * xAI (api.x.ai). Reasoning streams as `reasoning_content` on the models
 * that show it (grok-3-mini, grok-code-fast) and is not needed back.
 * `reasoning_effort` is accepted by some models only (others answer 400), so
 * it is sent only to models known to take it. Tool calls arrive whole in one
 * chunk. Usage counts reasoning tokens outside `completion_tokens` (total =
 * prompt + completion + reasoning); the generic usage reading recognises that
 * from the total and adds them to `output_tokens`, as Responses counts them.
 */
import { defineProvider } from './define-provider.js';

/** The xAI profile (`--provider xai`). */
export const xaiProvider = defineProvider({
  id: 'xai',
  displayName: 'xAI',
  defaultBaseUrl: 'https://api.x.ai/v1',
  apiKeyEnv: 'XAI_API_KEY',
  maxTokensParameter: 'max_tokens',
  images: true,
  reasoningEfforts: [],
  models: [
    {
      id: 'grok-4.3',
      contextWindow: 1_000_000,
      reasoningEfforts: ['none', 'low', 'medium', 'high'],
      defaultReasoningEffort: 'low',
      images: true,
    },
    { id: 'grok-4-1-fast-reasoning', contextWindow: 2_000_000, reasoningEfforts: [], images: true },
    { id: 'grok-4-1-fast-non-reasoning', contextWindow: 2_000_000, reasoningEfforts: [], images: true },
    { id: 'grok-4-fast-reasoning', contextWindow: 2_000_000, reasoningEfforts: [], images: true },
    { id: 'grok-4-fast-non-reasoning', contextWindow: 2_000_000, reasoningEfforts: [], images: true },
    { id: 'grok-4', contextWindow: 256_000, reasoningEfforts: [], images: true },
    { id: 'grok-build-0.1', contextWindow: 256_000, reasoningEfforts: [], images: false },
    { id: 'grok-code-fast-1', contextWindow: 256_000, reasoningEfforts: [], images: false },
    {
      id: 'grok-3-mini',
      contextWindow: 131_072,
      reasoningEfforts: ['low', 'high'],
      defaultReasoningEffort: 'low',
      images: false,
    },
    { id: 'grok-3', contextWindow: 131_072, reasoningEfforts: [], images: false },
  ],
  hooks: {
    echoReasoning() {
      // Accepted but not used by xAI: not sent, to keep requests small.
    },
  },
});
