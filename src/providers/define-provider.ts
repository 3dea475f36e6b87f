/**
 * Builds a full profile from the parts a provider file states; everything not
 * stated behaves like a generic OpenAI-compatible server.
 */

import type { ProviderHooks, ProviderProfile } from '../translate/provider-hooks.js';
import { ThinkTagSplitter } from '../translate/stream/think-tag-splitter.js';
import { ToolMarkupSplitter } from '../translate/stream/tool-markup-splitter.js';
import { normalizeChatUsage } from '../translate/usage.js';
import { readGoogleThoughtSignature, readThinkingPart, readUsageWithGroq } from './chunk-extensions.js';
import { fitEffort } from './effort.js';
import { keepRequestFields } from './request-shaping.js';

/** The behaviour of a plain OpenAI-compatible server. */
export const genericHooks: ProviderHooks = {
  echoReasoning(message, reasoning) {
    if (reasoning.text !== '') message.reasoning_content = reasoning.text;
  },
  toUpstreamToolCallId: (id) => id,
  changesMessagesInPlace: false,
  applyReasoningEffort(request, effort, context) {
    const fitted = fitEffort(effort, context.supportedEfforts);
    if (fitted !== undefined) request.reasoning_effort = fitted;
  },
  finalizeRequest: (request) => request,
  readUsage: readUsageWithGroq,
  normalizeUsage: normalizeChatUsage,
  readReasoningPart: readThinkingPart,
  readToolCallSignature: readGoogleThoughtSignature,
  // Reasoning in <think> tags first, then tool calls leaked as markup in the answer.
  createContentSplitters: (tools) => [new ThinkTagSplitter(), new ToolMarkupSplitter(tools)],
  classifyError: () => undefined,
};

export type ProviderDefinition = Pick<ProviderProfile, 'id' | 'displayName'> &
  Partial<Omit<ProviderProfile, 'id' | 'displayName' | 'hooks'>> & { hooks?: Partial<ProviderHooks> };

/** Fills a provider definition with generic defaults. */
export function defineProvider(definition: ProviderDefinition): ProviderProfile {
  const profile: ProviderProfile = {
    defaultBaseUrl: undefined,
    apiKeyEnv: undefined,
    requiresApiKey: true,
    local: false,
    maxTokensParameter: 'max_tokens',
    acceptsStreamOptions: true,
    allowedRequestFields: undefined,
    images: true,
    imagesInToolResults: false,
    systemMessagesAnywhere: true,
    reasoningEfforts: ['low', 'medium', 'high'],
    defaultReasoningEffort: undefined,
    models: [],
    prices: [],
    ...definition,
    hooks: { ...genericHooks, ...definition.hooks },
  };
  const allowed = profile.allowedRequestFields;
  if (allowed !== undefined) {
    // Strict providers reject unknown fields: whatever the hooks added, only allowed fields leave.
    const finalize = profile.hooks.finalizeRequest;
    profile.hooks.finalizeRequest = (request, context) => keepRequestFields(finalize(request, context), allowed);
  }
  return profile;
}

/**
 * What the local runtimes (Ollama, vLLM, llama.cpp, LM Studio) share: they run
 * on this machine, need no key, take images where the model does, and serve
 * chat templates that usually want one system message, first.
 */
export const LOCAL_RUNTIME = {
  requiresApiKey: false,
  local: true,
  maxTokensParameter: 'max_tokens',
  images: true,
  systemMessagesAnywhere: false,
} as const satisfies Partial<ProviderDefinition>;
