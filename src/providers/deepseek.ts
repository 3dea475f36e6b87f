/**
 * DeepSeek (api.deepseek.com): V4 models think by default; `thinking:
 * {type: enabled|disabled}` switches it and `reasoning_effort` low/high/max
 * sets the depth. In thinking mode every assistant message of a stretch of
 * conversation that used tools must carry its `reasoning_content` back
 * (byte for byte, 400 otherwise), forced tool use is refused, and the model
 * sometimes writes its tool calls as DSML markup in the text (repaired by the
 * default content splitters).
 */
import type { ChatRequest, ChatUsage } from '../translate/chat-types.js';
import type { RequestContext } from '../translate/provider-hooks.js';
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { normalizeChatUsage } from '../translate/usage.js';
import { defineProvider } from './define-provider.js';
import { fitEffort } from './effort.js';
import { assistantMessagesByUserTurn, fillMissingReasoning, relaxForcedToolChoice } from './request-shaping.js';

const V4_EFFORTS: ReasoningEffort[] = ['none', 'low', 'high', 'max'];
const V4 = {
  contextWindow: 1_048_576,
  maxOutputTokens: 393_216,
  reasoningEfforts: V4_EFFORTS,
  defaultReasoningEffort: 'high' as const,
};

const DEEPSEEK_PRICING_PAGE = 'https://api-docs.deepseek.com/quick_start/pricing';

/** The DeepSeek profile (`--provider deepseek`). */
export const deepseekProvider = defineProvider({
  id: 'deepseek',
  displayName: 'DeepSeek',
  defaultBaseUrl: 'https://api.deepseek.com/v1',
  apiKeyEnv: 'DEEPSEEK_API_KEY',
  maxTokensParameter: 'max_tokens',
  images: false,
  reasoningEfforts: V4_EFFORTS,
  defaultReasoningEffort: 'high',
  models: [
    { id: 'deepseek-v4-pro', ...V4, images: false },
    { id: 'deepseek-flash', ...V4, images: true },
    { id: 'deepseek-v4-flash', ...V4, images: false },
    // Names from before V4: the mode is fixed by the name, so no effort control.
    { id: 'deepseek-reasoner', contextWindow: 131_072, maxOutputTokens: 65_536, reasoningEfforts: [], images: false },
    { id: 'deepseek-chat', contextWindow: 131_072, maxOutputTokens: 8_192, reasoningEfforts: [], images: false },
  ],
  // DeepSeek bills peak hours (01:00–04:00 and 06:00–10:00 UTC) at twice the off-peak rate;
  // these are the peak rates, so an estimate is never below the bill.
  prices: [
    {
      model: 'deepseek-flash',
      inputPerMillion: 0.3,
      cachedInputPerMillion: 0.006,
      outputPerMillion: 1.2,
      source: DEEPSEEK_PRICING_PAGE,
      takenOn: '2026-12-03',
    },
    // The retired name is served by deepseek-flash and billed as it.
    {
      model: 'deepseek-v4-flash',
      inputPerMillion: 0.3,
      cachedInputPerMillion: 0.006,
      outputPerMillion: 1.2,
      source: DEEPSEEK_PRICING_PAGE,
      takenOn: '2026-12-03',
    },
    {
      model: 'deepseek-v4-pro',
      inputPerMillion: 1.32,
      cachedInputPerMillion: 0.044,
      outputPerMillion: 3.96,
      source: DEEPSEEK_PRICING_PAGE,
      takenOn: '2026-12-03',
    },
  ],
  hooks: {
    applyReasoningEffort(request, effort, context) {
      if (context.supportedEfforts.length === 0) return;
      if (effort === 'none') {
        request.thinking = { type: 'disabled' };
        return;
      }
      request.thinking = { type: 'enabled' };
      const fitted = fitEffort(effort, ['low', 'high', 'max']);
      if (fitted !== undefined) request.reasoning_effort = fitted;
    },
    // finalizeRequest fills and drops reasoning on the assistant messages themselves.
    changesMessagesInPlace: true,
    finalizeRequest(request, context) {
      const thinking = isThinking(request, context);
      if (thinking) {
        relaxForcedToolChoice(request);
        fillMissingReasoning(request.messages, 'reasoning_content');
      }
      dropIgnoredReasoning(request, thinking);
      return request;
    },
    normalizeUsage: normalizeDeepSeekUsage,
    classifyError(status, _body, message) {
      // The 400 a client sees when it dropped the reasoning items of an earlier tool-call turn.
      if (status === 400 && /reasoning_content/.test(message)) {
        return {
          code: 'invalid_request',
          status,
          message: `${message} (keep the reasoning items of earlier turns in the input: DeepSeek needs them back on tool-call turns)`,
        };
      }
      return undefined;
    },
  },
});

/** Thinking is on for `deepseek-reasoner`, off for `deepseek-chat`, and on by default for V4. */
function isThinking(request: ChatRequest, context: RequestContext): boolean {
  if (context.upstreamModel === 'deepseek-reasoner') return true;
  if (context.upstreamModel === 'deepseek-chat') return false;
  return (request.thinking as { type?: string } | undefined)?.type !== 'disabled';
}

/**
 * DeepSeek ignores reasoning on stretches of conversation without tool calls
 * (and everywhere when not thinking), so it is not sent there: the request
 * stays small without changing what the model sees.
 */
function dropIgnoredReasoning(request: ChatRequest, thinking: boolean): void {
  for (const turn of assistantMessagesByUserTurn(request.messages)) {
    const usedTools = turn.some((message) => Array.isArray(message.tool_calls) && message.tool_calls.length > 0);
    if (thinking && usedTools) continue;
    for (const message of turn) delete message.reasoning_content;
  }
}

/** DeepSeek reports cache hits and misses as `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`. */
export function normalizeDeepSeekUsage(usage: ChatUsage) {
  const normalized = normalizeChatUsage(usage);
  const hit = usage.prompt_cache_hit_tokens;
  const miss = usage.prompt_cache_miss_tokens;
  if (typeof hit === 'number' && hit >= 0) normalized.cachedInputTokens = hit;
  if (normalized.inputTokens === 0 && typeof hit === 'number' && typeof miss === 'number') {
    normalized.inputTokens = hit + miss;
    normalized.totalTokens = normalized.inputTokens + normalized.outputTokens;
  }
  return normalized;
}
