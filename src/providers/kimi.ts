/**
 * Kimi / Moonshot (api.moonshot.ai). How thinking is controlled depends on
 * the model: K3 always thinks and takes `reasoning_effort` low/high/max;
 * K2.5/K2.6 think by default and switch with `thinking: {type}` (never
 * `reasoning_effort`, and never "none"); K2.7 Code and K2 Thinking always
 * think with no control. While thinking, every assistant tool-call message
 * must carry `reasoning_content` (400 "reasoning_content is missing in
 * assistant tool call message at index N") and forced tool use is refused.
 * From K2.5 on, temperature and top_p are fixed by the platform and other
 * values are a 400. Usage arrives in `choices[0].usage`.
 */
import type { ChatRequest } from '../translate/chat-types.js';
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { extractErrorMessage } from '../translate/upstream-errors.js';
import { defineProvider } from './define-provider.js';
import { fitEffort } from './effort.js';
import { fillMissingReasoning, modelMatches, relaxForcedToolChoice } from './request-shaping.js';

const K3_EFFORTS: ReasoningEffort[] = ['low', 'high', 'max'];
const ON_OFF: ReasoningEffort[] = ['none', 'high'];
const K3 = {
  contextWindow: 1_048_576,
  reasoningEfforts: K3_EFFORTS,
  defaultReasoningEffort: 'max' as const,
  images: true,
};
const K2_TOGGLE = {
  contextWindow: 262_144,
  reasoningEfforts: ON_OFF,
  defaultReasoningEffort: 'high' as const,
  images: true,
};
const FIXED = { contextWindow: 262_144, reasoningEfforts: [], images: false };

type ThinkingMode = 'always' | 'switchable' | 'never';

function thinkingMode(model: string): ThinkingMode {
  if (modelMatches(model, ['kimi-k3', 'kimi-k2.7', 'kimi-k2-thinking'])) return 'always';
  if (modelMatches(model, ['kimi-k2.5', 'kimi-k2.6'])) return 'switchable';
  return 'never';
}

/** From K2.5 on, sampling parameters are fixed by the platform. */
function hasFixedSampling(model: string): boolean {
  return modelMatches(model, ['kimi-k2.5', 'kimi-k2.6', 'kimi-k2.7', 'kimi-k3']);
}

const KIMI_PRICING_PAGE = 'https://platform.moonshot.ai/docs/pricing/chat';

/** The Kimi (Moonshot) profile (`--provider kimi`). */
export const kimiProvider = defineProvider({
  id: 'kimi',
  displayName: 'Kimi (Moonshot)',
  defaultBaseUrl: 'https://api.moonshot.ai/v1',
  apiKeyEnv: 'MOONSHOT_API_KEY',
  maxTokensParameter: 'max_completion_tokens',
  images: true,
  reasoningEfforts: [],
  // Only the models whose price the pricing page listed when it was read; the others show an unknown cost.
  prices: [
    {
      model: 'kimi-k2.5',
      inputPerMillion: 0.6,
      cachedInputPerMillion: 0.1,
      outputPerMillion: 3,
      source: KIMI_PRICING_PAGE,
      takenOn: '2026-03-26',
    },
    {
      model: 'kimi-k2-0905-preview',
      inputPerMillion: 0.6,
      cachedInputPerMillion: 0.15,
      outputPerMillion: 2.5,
      source: KIMI_PRICING_PAGE,
      takenOn: '2026-03-26',
    },
    {
      model: 'kimi-k2-0711-preview',
      inputPerMillion: 0.6,
      cachedInputPerMillion: 0.15,
      outputPerMillion: 2.5,
      source: KIMI_PRICING_PAGE,
      takenOn: '2026-03-26',
    },
  ],
  models: [
    { id: 'kimi-k3', ...K3 },
    { id: 'kimi-k3.1-pro', ...K3 },
    { id: 'kimi-k3.1-pro-highspeed', ...K3 },
    { id: 'kimi-k2.7-code', ...FIXED },
    { id: 'kimi-k2.7-code-highspeed', ...FIXED },
    { id: 'kimi-k2.6', ...K2_TOGGLE },
    { id: 'kimi-k2.5', ...K2_TOGGLE },
    { id: 'kimi-k2-thinking', ...FIXED },
    { id: 'kimi-k2-thinking-turbo', ...FIXED },
    { id: 'kimi-k2-0905-preview', ...FIXED },
    { id: 'kimi-k2-turbo-preview', ...FIXED },
    { id: 'kimi-k2-0711-preview', ...FIXED, contextWindow: 131_072 },
    { id: 'moonshot-v1-8k', contextWindow: 8_192, reasoningEfforts: [], images: false },
    { id: 'moonshot-v1-32k', contextWindow: 32_768, reasoningEfforts: [], images: false },
    { id: 'moonshot-v1-128k', contextWindow: 131_072, reasoningEfforts: [], images: false },
    { id: 'moonshot-v1-8k-vision-preview', contextWindow: 8_192, reasoningEfforts: [], images: true },
    { id: 'moonshot-v1-32k-vision-preview', contextWindow: 32_768, reasoningEfforts: [], images: true },
    { id: 'moonshot-v1-128k-vision-preview', contextWindow: 131_072, reasoningEfforts: [], images: true },
  ],
  hooks: {
    applyReasoningEffort(request, effort, context) {
      const mode = thinkingMode(context.upstreamModel);
      switch (mode) {
        case 'switchable':
          request.thinking = { type: effort === 'none' ? 'disabled' : 'enabled' };
          return;
        case 'always': {
          // fitEffort never answers "none" to a model that cannot turn thinking off.
          const fitted = fitEffort(effort, context.supportedEfforts);
          if (fitted !== undefined) request.reasoning_effort = fitted;
          return;
        }
        case 'never':
          return;
        default: {
          const exhaustive: never = mode;
          return exhaustive;
        }
      }
    },
    // finalizeRequest fills missing reasoning on the assistant messages themselves.
    changesMessagesInPlace: true,
    finalizeRequest(request, context) {
      if (isThinking(request, context.upstreamModel)) {
        relaxForcedToolChoice(request);
        fillMissingReasoning(request.messages, 'reasoning_content');
      }
      if (hasFixedSampling(context.upstreamModel)) {
        delete request.temperature;
        delete request.top_p;
      }
      return request;
    },
    classifyError(status, body) {
      const type = errorType(body);
      const withStatus = status !== undefined ? { status } : {};
      if (type === 'engine_overloaded_error') {
        return {
          code: 'server_is_overloaded',
          message: `Kimi is overloaded: ${extractErrorMessage(body)}`,
          ...withStatus,
        };
      }
      if (type === 'exceeded_current_quota_error') {
        return {
          code: 'insufficient_quota',
          message: `The Kimi account has no quota left: ${extractErrorMessage(body)}`,
          ...withStatus,
        };
      }
      return undefined;
    },
  },
});

function isThinking(request: ChatRequest, model: string): boolean {
  const mode = thinkingMode(model);
  if (mode === 'always') return true;
  return mode === 'switchable' && (request.thinking as { type?: string } | undefined)?.type !== 'disabled';
}

/** Moonshot names the kind of failure in `error.type` (e.g. `engine_overloaded_error`, sent with HTTP 429). */
function errorType(body: unknown): string | undefined {
  const error = (body as { error?: { type?: unknown } } | null)?.error;
  return typeof error?.type === 'string' ? error.type : undefined;
}
