/**
 * GLM by Z.ai (Zhipu): `api.z.ai/api/paas/v4` for pay-as-you-go keys and
 * `api.z.ai/api/coding/paas/v4` for GLM Coding Plan keys (a key works only
 * on the endpoint of its subscription; the other answers 1113 "insufficient
 * balance"). Mainland accounts use the same paths on `open.bigmodel.cn`.
 *
 * Thinking is switched per request with `thinking: {type: enabled|disabled}`
 * (GLM-4.5 to GLM-5.2); GLM-4.6 decides by itself unless told, so it is always
 * sent. GLM-5.2 adds `reasoning_effort` (high, max); from GLM-5.3 thinking is
 * always on and `reasoning_effort` (low, high, max) is the only control.
 * Reasoning streams as `reasoning_content` and goes back unchanged on the
 * assistant messages (interleaved thinking; the coding endpoint keeps it
 * across turns). Only `tool_choice: auto` is accepted.
 */
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { extractErrorMessage } from '../translate/upstream-errors.js';
import { defineProvider, type ProviderDefinition } from './define-provider.js';
import { fitEffort } from './effort.js';
import { modelMatches, relaxForcedToolChoice } from './request-shaping.js';

const ON_OFF: ReasoningEffort[] = ['none', 'high'];
const GLM_5_2_EFFORTS: ReasoningEffort[] = ['none', 'high', 'max'];
const ALWAYS_EFFORTS: ReasoningEffort[] = ['low', 'high', 'max'];

const SWITCHED = {
  contextWindow: 200_000,
  maxOutputTokens: 131_072,
  reasoningEfforts: ON_OFF,
  defaultReasoningEffort: 'high' as const,
  images: false,
};
const LONG = { contextWindow: 1_048_576, maxOutputTokens: 131_072, images: false };

type ThinkingControl = 'effort' | 'switch-and-effort' | 'switch';

/** How a model's thinking is controlled; unknown GLM models are switched like GLM-4.5 to GLM-5.1. */
function thinkingControl(model: string): ThinkingControl {
  if (modelMatches(model, ['glm-5.3', 'glm-5.4'])) return 'effort';
  if (modelMatches(model, ['glm-5.2'])) return 'switch-and-effort';
  return 'switch';
}

const glmDefinition = {
  apiKeyEnv: 'ZAI_API_KEY',
  maxTokensParameter: 'max_tokens',
  images: false,
  reasoningEfforts: ON_OFF,
  defaultReasoningEffort: 'high',
  models: [
    { id: 'glm-5.3', ...LONG, reasoningEfforts: ALWAYS_EFFORTS, defaultReasoningEffort: 'max' },
    { id: 'glm-5.2', ...LONG, reasoningEfforts: GLM_5_2_EFFORTS, defaultReasoningEffort: 'max' },
    { id: 'glm-5.1', ...SWITCHED },
    { id: 'glm-5-turbo', ...SWITCHED },
    { id: 'glm-5', ...SWITCHED },
    { id: 'glm-4.7', ...SWITCHED },
    { id: 'glm-4.7-flash', ...SWITCHED },
    { id: 'glm-4.6', ...SWITCHED },
    { id: 'glm-4.5', ...SWITCHED, contextWindow: 131_072, maxOutputTokens: 98_304 },
    { id: 'glm-4.5-air', ...SWITCHED, contextWindow: 131_072, maxOutputTokens: 98_304 },
    { id: 'glm-4.5v', ...SWITCHED, contextWindow: 65_536, maxOutputTokens: 16_384, images: true },
  ],
  hooks: {
    applyReasoningEffort(request, effort, context) {
      const control = thinkingControl(context.upstreamModel);
      switch (control) {
        case 'switch':
          request.thinking = { type: effort === 'none' ? 'disabled' : 'enabled' };
          return;
        case 'switch-and-effort': {
          request.thinking = { type: effort === 'none' ? 'disabled' : 'enabled' };
          const fitted = effort === 'none' ? undefined : fitEffort(effort, ['high', 'max']);
          if (fitted !== undefined) request.reasoning_effort = fitted;
          return;
        }
        case 'effort': {
          // Thinking cannot be turned off: "none" gets the model's default.
          const fitted = fitEffort(effort, ALWAYS_EFFORTS);
          if (fitted !== undefined) request.reasoning_effort = fitted;
          return;
        }
        default: {
          const exhaustive: never = control;
          return exhaustive;
        }
      }
    },
    finalizeRequest(request) {
      relaxForcedToolChoice(request);
      return request;
    },
    classifyError(status, body) {
      if (errorCode(body) !== '1113') return undefined;
      return {
        code: 'insufficient_quota',
        message: `Z.ai refused the key for lack of balance (1113): ${extractErrorMessage(body)}. A GLM Coding Plan key works only on the coding endpoint (--provider glm-coding), a pay-as-you-go key only on the standard one (--provider glm).`,
        ...(status !== undefined ? { status } : {}),
      };
    },
  },
} satisfies Omit<ProviderDefinition, 'id' | 'displayName'>;

/** GLM with a pay-as-you-go key (`--provider glm`). */
export const glmProvider = defineProvider({
  id: 'glm',
  displayName: 'GLM (Z.ai)',
  defaultBaseUrl: 'https://api.z.ai/api/paas/v4',
  ...glmDefinition,
});

/** GLM with a GLM Coding Plan key (`--provider glm-coding`): the same models on the coding endpoint. */
export const glmCodingProvider = defineProvider({
  id: 'glm-coding',
  displayName: 'GLM Coding Plan',
  defaultBaseUrl: 'https://api.z.ai/api/coding/paas/v4',
  ...glmDefinition,
});

/** Z.ai puts its business code in `error.code`, as a string (`"1113"`). */
function errorCode(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}
