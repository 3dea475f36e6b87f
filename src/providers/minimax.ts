/**
 * MiniMax (api.minimax.io; mainland accounts api.minimaxi.com). The M2 series
 * always thinks and writes its reasoning into the content as
 * `<think>…</think>` before the answer (split out by the default content
 * splitters). MiniMax asks for the whole assistant message back in multi-turn
 * tool use, think block included, or the reasoning chain breaks: reasoning
 * goes back inside the content, not as a separate field. M3 thinks
 * adaptively and takes `thinking: {type: "disabled"}`. `max_tokens` is
 * deprecated in favour of `max_completion_tokens`. Failures carry MiniMax's
 * code in `base_resp.status_code`; an empty balance or plan quota stops Codex
 * instead of being retried.
 */
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import { defineProvider } from './define-provider.js';
import { modelMatches } from './request-shaping.js';

const M2 = {
  contextWindow: 204_800,
  maxOutputTokens: 131_072,
  reasoningEfforts: [] as ReasoningEffort[],
  images: false,
};
const ON_OFF: ReasoningEffort[] = ['none', 'high'];

/** The MiniMax profile (`--provider minimax`). */
export const minimaxProvider = defineProvider({
  id: 'minimax',
  displayName: 'MiniMax',
  defaultBaseUrl: 'https://api.minimax.io/v1',
  apiKeyEnv: 'MINIMAX_API_KEY',
  maxTokensParameter: 'max_completion_tokens',
  images: false,
  reasoningEfforts: [],
  models: [
    {
      id: 'MiniMax-M3',
      contextWindow: 1_048_576,
      maxOutputTokens: 131_072,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'high',
      images: false,
    },
    { id: 'MiniMax-M2.7', ...M2 },
    { id: 'MiniMax-M2.7-highspeed', ...M2 },
    { id: 'MiniMax-M2.5', ...M2 },
    { id: 'MiniMax-M2.5-highspeed', ...M2 },
    { id: 'MiniMax-M2.1', ...M2 },
    { id: 'MiniMax-M2', ...M2 },
  ],
  hooks: {
    echoReasoning(message, reasoning) {
      if (reasoning.text === '') return;
      const content = typeof message.content === 'string' ? message.content : '';
      message.content = `<think>${reasoning.text}</think>\n\n${content}`;
    },
    applyReasoningEffort(request, effort, context) {
      // The M2 series cannot stop thinking; M3 thinks adaptively unless told not to.
      if (effort === 'none' && modelMatches(context.upstreamModel, ['minimax-m3']))
        request.thinking = { type: 'disabled' };
    },
    classifyError(status, body) {
      const failure = baseResponseFailure(body);
      return failure && status !== undefined ? { ...failure, status } : failure;
    },
  },
});

/** MiniMax's codes for an exhausted balance (1008) or plan quota (1028, 1030); others take the generic mapping. */
function baseResponseFailure(body: unknown): UpstreamFailure | undefined {
  const base = (body as { base_resp?: { status_code?: unknown; status_msg?: unknown } } | null)?.base_resp;
  const code = base?.status_code;
  const detail = typeof base?.status_msg === 'string' ? base.status_msg : '';
  switch (code) {
    case 1008:
    case 1028:
    case 1030:
      return {
        code: 'insufficient_quota',
        message: `The MiniMax account has no balance or plan quota left (${code}): ${detail}`,
      };
    default:
      return undefined;
  }
}
