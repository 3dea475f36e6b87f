/** The profile registry: every provider present, consistent data, names people use. */
import { describe, expect, it } from 'vitest';
import { EFFORT_ORDER } from '../../src/providers/effort.js';
import { findProviderProfile, PROVIDER_IDS, PROVIDER_PROFILES } from '../../src/providers/index.js';

describe('provider registry', () => {
  it('has every profile the relay promises', () => {
    expect(PROVIDER_IDS).toEqual([
      'generic',
      'deepseek',
      'kimi',
      'openrouter',
      'qwen',
      'mistral',
      'groq',
      'xai',
      'gemini',
      'glm',
      'glm-coding',
      'minimax',
      'ollama',
      'vllm',
      'llama-cpp',
      'lm-studio',
    ]);
  });

  it('finds profiles by id and by the names people also use, in any case', () => {
    expect(findProviderProfile('DeepSeek')?.id).toBe('deepseek');
    expect(findProviderProfile('moonshot')?.id).toBe('kimi');
    expect(findProviderProfile('llama.cpp')?.id).toBe('llama-cpp');
    expect(findProviderProfile('lmstudio')?.id).toBe('lm-studio');
    expect(findProviderProfile('dashscope')?.id).toBe('qwen');
    expect(findProviderProfile('nope')).toBeUndefined();
  });

  it.each(PROVIDER_PROFILES.map((profile) => [profile.id, profile] as const))(
    '%s has consistent data',
    (id, profile) => {
      if (id !== 'generic') expect(profile.defaultBaseUrl).toMatch(/^https?:\/\/.+/);
      if (profile.local) {
        expect(profile.requiresApiKey).toBe(false);
        expect(profile.defaultBaseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      } else if (id !== 'generic') {
        expect(profile.requiresApiKey).toBe(true);
        expect(profile.apiKeyEnv).toMatch(/^[A-Z][A-Z0-9_]*_API_KEY$/);
      }
      const ids = profile.models.map((model) => model.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const model of profile.models) {
        expect(model.contextWindow, model.id).toBeGreaterThan(0);
        if (model.maxOutputTokens !== undefined) expect(model.maxOutputTokens, model.id).toBeGreaterThan(0);
        for (const effort of model.reasoningEfforts ?? []) expect(EFFORT_ORDER, model.id).toContain(effort);
        if (model.defaultReasoningEffort !== undefined)
          expect(model.reasoningEfforts ?? profile.reasoningEfforts, model.id).toContain(model.defaultReasoningEffort);
      }
      if (profile.defaultReasoningEffort !== undefined)
        expect(profile.reasoningEfforts).toContain(profile.defaultReasoningEffort);
    },
  );
});
