/**
 * Every provider profile by id, and the names people also use for them
 * (`moonshot` for Kimi, `llama.cpp` for llama-cpp, …).
 */

import type { ProviderProfile } from '../translate/provider-hooks.js';
import { deepseekProvider } from './deepseek.js';
import { geminiProvider } from './gemini.js';
import { genericProvider } from './generic.js';
import { glmCodingProvider, glmProvider } from './glm.js';
import { groqProvider } from './groq.js';
import { kimiProvider } from './kimi.js';
import { llamaCppProvider } from './llama-cpp.js';
import { lmStudioProvider } from './lm-studio.js';
import { minimaxProvider } from './minimax.js';
import { mistralProvider } from './mistral.js';
import { ollamaProvider } from './ollama.js';
import { openRouterProvider } from './openrouter.js';
import { qwenProvider } from './qwen.js';
import { vllmProvider } from './vllm.js';
import { xaiProvider } from './xai.js';

/** All profiles, the generic one first. */
export const PROVIDER_PROFILES: readonly ProviderProfile[] = [
  genericProvider,
  deepseekProvider,
  kimiProvider,
  openRouterProvider,
  qwenProvider,
  mistralProvider,
  groqProvider,
  xaiProvider,
  geminiProvider,
  glmProvider,
  glmCodingProvider,
  minimaxProvider,
  ollamaProvider,
  vllmProvider,
  llamaCppProvider,
  lmStudioProvider,
];

const ALIASES: Readonly<Record<string, string>> = {
  openai: 'generic',
  'openai-compatible': 'generic',
  moonshot: 'kimi',
  dashscope: 'qwen',
  grok: 'xai',
  google: 'gemini',
  'llama.cpp': 'llama-cpp',
  llamacpp: 'llama-cpp',
  'llama-server': 'llama-cpp',
  lmstudio: 'lm-studio',
  zai: 'glm',
  'z.ai': 'glm',
  zhipu: 'glm',
  bigmodel: 'glm',
  'zai-coding': 'glm-coding',
};

const BY_ID = new Map(PROVIDER_PROFILES.map((profile) => [profile.id, profile]));

/** The profile ids, in the order `--help` lists them. */
export const PROVIDER_IDS: readonly string[] = PROVIDER_PROFILES.map((profile) => profile.id);

/** The profile for an id or alias (any case); undefined when there is none. */
export function findProviderProfile(name: string): ProviderProfile | undefined {
  const key = name.trim().toLowerCase();
  return BY_ID.get(ALIASES[key] ?? key);
}
