/**
 * Groq (api.groq.com/openai/v1). Rejects fields it does not know (400), among
 * them any reasoning on assistant messages ("property 'reasoning_content' is
 * unsupported"), so reasoning is never sent back. Reasoning streams as
 * `reasoning`; effort depends on the model (gpt-oss low/medium/high, Qwen3
 * `none`/`default` with `reasoning_format: parsed`). Usage is repeated in
 * `x_groq.usage`, at the top level and in a trailing chunk: it is read, not
 * added up. A request larger than the account's tokens-per-minute limit is a
 * 413 that waiting cannot fix; Codex compacts on it when it is reported as a
 * context overflow.
 */
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { extractErrorMessage } from '../translate/upstream-errors.js';
import { readUsageWithGroq } from './chunk-extensions.js';
import { defineProvider, genericHooks } from './define-provider.js';
import { keepMessageFields, type MessageFieldRules, modelMatches } from './request-shaping.js';

const REQUEST_FIELDS = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'seed',
  'user',
  'response_format',
  'reasoning_effort',
  'reasoning_format',
  'include_reasoning',
  'service_tier',
] as const;

const MESSAGE_FIELDS: MessageFieldRules = {
  system: ['role', 'content', 'name'],
  user: ['role', 'content', 'name'],
  assistant: ['role', 'content', 'tool_calls', 'name'],
  tool: ['role', 'content', 'tool_call_id', 'name'],
};
const TOOL_CALL_FIELDS = ['id', 'type', 'function'] as const;

const GPT_OSS: ReasoningEffort[] = ['low', 'medium', 'high'];
const QWEN3: ReasoningEffort[] = ['none', 'high'];

/** The Groq profile (`--provider groq`). */
export const groqProvider = defineProvider({
  id: 'groq',
  displayName: 'Groq',
  defaultBaseUrl: 'https://api.groq.com/openai/v1',
  apiKeyEnv: 'GROQ_API_KEY',
  maxTokensParameter: 'max_completion_tokens',
  allowedRequestFields: REQUEST_FIELDS,
  images: false,
  reasoningEfforts: [],
  models: [
    {
      id: 'openai/gpt-oss-120b',
      contextWindow: 131_072,
      maxOutputTokens: 65_536,
      reasoningEfforts: GPT_OSS,
      defaultReasoningEffort: 'medium',
    },
    {
      id: 'openai/gpt-oss-20b',
      contextWindow: 131_072,
      maxOutputTokens: 65_536,
      reasoningEfforts: GPT_OSS,
      defaultReasoningEffort: 'medium',
    },
    {
      id: 'qwen/qwen3-32b',
      contextWindow: 131_072,
      maxOutputTokens: 40_960,
      reasoningEfforts: QWEN3,
      defaultReasoningEffort: 'high',
    },
    { id: 'moonshotai/kimi-k2-instruct-0905', contextWindow: 262_144, maxOutputTokens: 16_384, reasoningEfforts: [] },
    { id: 'llama-3.3-70b-versatile', contextWindow: 131_072, maxOutputTokens: 32_768, reasoningEfforts: [] },
    { id: 'llama-3.1-8b-instant', contextWindow: 131_072, maxOutputTokens: 131_072, reasoningEfforts: [] },
    {
      id: 'meta-llama/llama-4-scout-17b-16e-instruct',
      contextWindow: 131_072,
      maxOutputTokens: 8_192,
      reasoningEfforts: [],
      images: true,
    },
    {
      id: 'meta-llama/llama-4-maverick-17b-128e-instruct',
      contextWindow: 131_072,
      maxOutputTokens: 8_192,
      reasoningEfforts: [],
      images: true,
    },
  ],
  hooks: {
    // The generic default too (gateways pass `x_groq` on); stated here as Groq's own.
    readUsage: readUsageWithGroq,
    echoReasoning() {
      // Groq answers 400 to reasoning on assistant messages.
    },
    applyReasoningEffort(request, effort, context) {
      if (modelMatches(context.upstreamModel, ['qwen3'])) {
        request.reasoning_effort = effort === 'none' ? 'none' : 'default';
        // Reasoning in its own field rather than <think> tags, which Groq refuses with tools.
        if (effort !== 'none') request.reasoning_format = 'parsed';
        return;
      }
      genericHooks.applyReasoningEffort(request, effort, context);
    },
    finalizeRequest(request) {
      request.messages = keepMessageFields(request.messages, MESSAGE_FIELDS, TOOL_CALL_FIELDS);
      return request;
    },
    classifyError(status, body) {
      const message = extractErrorMessage(body);
      if (status === 413 || (status === 429 && /request too large/i.test(message))) {
        return {
          code: 'context_length_exceeded',
          status,
          message: `The request is larger than this Groq account may send per minute; a shorter conversation is needed: ${message}`,
        };
      }
      if (status === 498)
        return {
          code: 'server_is_overloaded',
          status,
          message: `Groq has no capacity for this tier right now: ${message}`,
        };
      return undefined;
    },
  },
});
