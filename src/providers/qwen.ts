/**
 * Qwen on Alibaba Cloud Model Studio (DashScope, OpenAI-compatible mode).
 * Hybrid models switch thinking with `enable_thinking`; reasoning streams as
 * `reasoning_content` and, with no documented way back, is not sent back;
 * usage comes in a trailing `choices: []` chunk. The
 * open Qwen3 thinking models refuse non-streaming calls, which the relay
 * never makes (it always streams upstream). A system message must come
 * first, and DashScope words some errors its own way ("Range of input
 * length should be …" for an over-long prompt, `Arrearage` for an unpaid
 * account).
 */
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { classifyUpstreamError, extractErrorMessage, type UpstreamFailure } from '../translate/upstream-errors.js';
import { defineProvider } from './define-provider.js';
import { relaxForcedToolChoice } from './request-shaping.js';

const ON_OFF: ReasoningEffort[] = ['none', 'high'];

/** The Qwen (DashScope) profile (`--provider qwen`). */
export const qwenProvider = defineProvider({
  id: 'qwen',
  displayName: 'Qwen (DashScope)',
  defaultBaseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
  apiKeyEnv: 'DASHSCOPE_API_KEY',
  maxTokensParameter: 'max_tokens',
  images: false,
  systemMessagesAnywhere: false,
  reasoningEfforts: [],
  models: [
    { id: 'qwen3-max', contextWindow: 262_144, maxOutputTokens: 65_536, reasoningEfforts: [] },
    {
      id: 'qwen-plus',
      contextWindow: 1_000_000,
      maxOutputTokens: 32_768,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
    },
    {
      id: 'qwen-flash',
      contextWindow: 1_000_000,
      maxOutputTokens: 32_768,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
    },
    {
      id: 'qwen-turbo',
      contextWindow: 1_000_000,
      maxOutputTokens: 16_384,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
    },
    { id: 'qwen3-coder-plus', contextWindow: 1_000_000, maxOutputTokens: 65_536, reasoningEfforts: [] },
    { id: 'qwen3-coder-flash', contextWindow: 1_000_000, maxOutputTokens: 65_536, reasoningEfforts: [] },
    { id: 'qwq-plus', contextWindow: 131_072, maxOutputTokens: 8_192, reasoningEfforts: [] },
    {
      id: 'qwen3-vl-plus',
      contextWindow: 262_144,
      maxOutputTokens: 32_768,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
      images: true,
    },
    { id: 'qwen-vl-max', contextWindow: 131_072, maxOutputTokens: 8_192, reasoningEfforts: [], images: true },
  ],
  hooks: {
    echoReasoning() {
      // DashScope documents no reasoning field on input messages: none is sent.
    },
    applyReasoningEffort(request, effort, context) {
      if (!context.supportedEfforts.includes('none')) return; // no switch on this model
      request.enable_thinking = effort !== 'none';
    },
    finalizeRequest(request) {
      // In thinking mode DashScope takes only `auto` or `none` for tool_choice.
      if (request.enable_thinking === true) relaxForcedToolChoice(request);
      return request;
    },
    classifyError(status, body) {
      return classifyDashScopeError(status, body);
    },
  },
});

/** DashScope's own error words → the codes Codex acts on; undefined for the generic mapping. */
export function classifyDashScopeError(status: number | undefined, body: unknown): UpstreamFailure | undefined {
  const message = extractErrorMessage(body);
  const code = dashScopeCode(body);
  const withStatus = status !== undefined ? { status } : {};
  if (/Range of input length should be|input length .*exceed/i.test(message)) {
    return {
      code: 'context_length_exceeded',
      message: `The conversation is too long for the model (Qwen): ${message}`,
      ...withStatus,
    };
  }
  if (code === 'Arrearage' || /overdue|in arrears/i.test(message)) {
    return {
      code: 'insufficient_quota',
      message: `The DashScope account has an unpaid balance: ${message}`,
      ...withStatus,
    };
  }
  if (code.startsWith('Throttling') || code === 'limit_requests') {
    return classifyUpstreamError(429, body, undefined, 'Qwen (DashScope)');
  }
  return undefined;
}

function dashScopeCode(body: unknown): string {
  if (body === null || typeof body !== 'object') return '';
  const record = body as { code?: unknown; error?: { code?: unknown } };
  const code = record.error?.code ?? record.code;
  return typeof code === 'string' ? code : '';
}
