/** Reading upstream model lists and describing every routed model. Pure. */
import { describe, expect, it } from 'vitest';
import { buildRouter } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';
import { listRoutedModels } from '../../src/models/routed-models.js';
import { readUpstreamModelList, type UpstreamModel } from '../../src/models/upstream-model-list.js';

describe('readUpstreamModelList', () => {
  it("reads the context window, output limit, images and reasoning from each provider's fields", () => {
    const models = readUpstreamModelList({
      object: 'list',
      data: [
        // OpenRouter
        {
          id: 'moonshotai/kimi-k2.6',
          context_length: 262144,
          architecture: { input_modalities: ['text', 'image'] },
          top_provider: { context_length: 262144, max_completion_tokens: 65536 },
          supported_parameters: ['tools', 'reasoning'],
        },
        {
          id: 'qwen/qwen3-coder',
          context_length: 262144,
          architecture: { input_modalities: ['text'] },
          supported_parameters: ['tools'],
        },
        // Groq
        { id: 'llama-3.3-70b-versatile', context_window: 131072, max_completion_tokens: 32768 },
        // Mistral
        { id: 'mistral-large-latest', max_context_length: 262144, capabilities: { vision: true } },
        // vLLM
        { id: 'Qwen/Qwen3-8B', max_model_len: 40960 },
        // DeepSeek says nothing but the id
        { id: 'deepseek-v4-pro', object: 'model', owned_by: 'deepseek' },
        { object: 'model' },
      ],
    });
    expect(models.map(({ raw, ...facts }) => facts)).toEqual([
      { id: 'moonshotai/kimi-k2.6', contextWindow: 262144, maxOutputTokens: 65536, images: true, reasoning: true },
      { id: 'qwen/qwen3-coder', contextWindow: 262144, images: false, reasoning: false },
      { id: 'llama-3.3-70b-versatile', contextWindow: 131072, maxOutputTokens: 32768 },
      { id: 'mistral-large-latest', contextWindow: 262144, images: true },
      { id: 'Qwen/Qwen3-8B', contextWindow: 40960 },
      { id: 'deepseek-v4-pro' },
    ]);
    expect(readUpstreamModelList([{ id: 'bare-array' }]).map((model) => model.id)).toEqual(['bare-array']);
    expect(readUpstreamModelList('not json')).toEqual([]);
  });
});

describe('listRoutedModels', () => {
  const file = parseConfigText(
    `
[providers.deepseek]
[providers.openrouter]
[providers.box]
profile = "vllm"
base_url = "http://box:8000/v1"
models = [{ id = "qwen3-coder", context_window = 65536, reasoning_efforts = ["none", "high"], default_reasoning_effort = "high" }]

[aliases]
coder = { route = "deepseek/deepseek-v4-pro", fallbacks = ["openrouter/deepseek/deepseek-v4-pro"] }
gpt-5 = "openrouter/moonshotai/kimi-k2.6"
`,
    'relay.toml',
  );
  const router = buildRouter({}, file, {}, { requireKeys: false });
  const openRouterList: UpstreamModel[] = readUpstreamModelList({
    data: [
      {
        id: 'moonshotai/kimi-k2.6',
        context_length: 262144,
        architecture: { input_modalities: ['text', 'image'] },
        supported_parameters: ['reasoning'],
      },
      { id: 'qwen/qwen3-coder', context_length: 262144, supported_parameters: ['tools'] },
    ],
  });

  it("lists aliases, then the default provider's models, then the others' with their prefix", () => {
    const models = listRoutedModels(
      router,
      new Map([
        ['openrouter', openRouterList],
        ['deepseek', undefined],
        ['box', undefined],
      ]),
    );
    expect(models.map((model) => model.id)).toEqual([
      'coder',
      'gpt-5',
      // DeepSeek's list was unavailable: the profile's known models.
      'deepseek-v4-pro',
      'deepseek-flash',
      'deepseek-v4-flash',
      'deepseek-reasoner',
      'deepseek-chat',
      // OpenRouter's own list replaces the profile's.
      'openrouter/moonshotai/kimi-k2.6',
      'openrouter/qwen/qwen3-coder',
      'box/qwen3-coder',
    ]);
    const coder = models[0]!;
    expect(coder).toMatchObject({
      upstreamModel: 'deepseek-v4-pro',
      contextWindow: 1_048_576,
      reasoningEfforts: ['none', 'low', 'high', 'max'],
      defaultReasoningEffort: 'high',
      images: false,
    });
    expect(coder.alias).toEqual({ fallbacks: ['openrouter/deepseek/deepseek-v4-pro'] });
    expect(coder.provider.name).toBe('deepseek');
  });

  it("takes the upstream's figures first, the profile's next, and no effort control where the list says so", () => {
    const models = listRoutedModels(router, new Map([['openrouter', openRouterList]]));
    const byId = new Map(models.map((model) => [model.id, model]));
    expect(byId.get('openrouter/moonshotai/kimi-k2.6')).toMatchObject({
      contextWindow: 262144,
      images: true,
      known: true,
    });
    expect(byId.get('openrouter/qwen/qwen3-coder')!.reasoningEfforts).toEqual([]);
    expect(byId.get('gpt-5')).toMatchObject({ upstreamModel: 'moonshotai/kimi-k2.6', contextWindow: 262144 });
    expect(byId.get('box/qwen3-coder')).toMatchObject({
      contextWindow: 65536,
      reasoningEfforts: ['none', 'high'],
      defaultReasoningEffort: 'high',
      known: true,
    });
    expect(byId.get('deepseek-chat')).toMatchObject({ contextWindow: 131_072, reasoningEfforts: [] });
    expect(byId.get('deepseek-chat')!.defaultReasoningEffort).toBeUndefined();
  });

  it('describes a requested name no list mentions', () => {
    const models = listRoutedModels(router, new Map(), ['box/new-model', 'coder']);
    expect(models.filter((model) => model.id === 'coder')).toHaveLength(1);
    expect(models.at(-1)).toMatchObject({ id: 'box/new-model', upstreamModel: 'new-model', known: false });
    expect(models.at(-1)!.contextWindow).toBeUndefined();
  });
});
