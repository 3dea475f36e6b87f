/**
 * vLLM (OpenAI-compatible server, :8000/v1 by default). No key unless the
 * server was started with one (VLLM_API_KEY). Reasoning streams as
 * `reasoning` (older releases: `reasoning_content`) when a reasoning parser is
 * enabled. Thinking is switched through `chat_template_kwargs`, and gpt-oss
 * reads `reasoning_effort` (only low/medium/high validate). Chat templates
 * usually want one system message, first. `max_model_len` in /v1/models is
 * the context window.
 */
import { defineProvider, LOCAL_RUNTIME } from './define-provider.js';
import { applyChatTemplateThinking } from './effort.js';

/** The vLLM profile (`--provider vllm`). */
export const vllmProvider = defineProvider({
  id: 'vllm',
  displayName: 'vLLM',
  defaultBaseUrl: 'http://127.0.0.1:8000/v1',
  apiKeyEnv: 'VLLM_API_KEY',
  ...LOCAL_RUNTIME,
  reasoningEfforts: ['none', 'low', 'medium', 'high'],
  hooks: {
    applyReasoningEffort(request, effort) {
      applyChatTemplateThinking(request, effort);
    },
  },
});
