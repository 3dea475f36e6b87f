/** The generated Codex model catalog: slugs, reasoning levels, images, context windows. Pure. */
import { describe, expect, it } from 'vitest';
import { buildCodexCatalog, codexSlug } from '../../src/codex/model-catalog.js';
import { buildRouter } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';
import { listRoutedModels } from '../../src/models/routed-models.js';
import { looksLikeOpenAiModel } from '../../src/models/slugs.js';
import { readUpstreamModelList } from '../../src/models/upstream-model-list.js';

const file = parseConfigText(
  `
[providers.deepseek]
[providers.kimi]
[providers.box]
profile = "vllm"
base_url = "http://box:8000/v1"

[aliases]
coder = { route = "deepseek/deepseek-v4-pro", fallbacks = ["kimi/kimi-k2.6"] }
gpt-5 = "kimi/kimi-k2.6"
`,
  'relay.toml',
);
const router = buildRouter({}, file, {}, { requireKeys: false });
const boxList = readUpstreamModelList({
  data: [
    { id: 'gpt-oss-20b', max_model_len: 131072 },
    { id: 'Qwen/Qwen3-8B', max_model_len: 40960 },
  ],
});
const models = listRoutedModels(router, new Map([['box', boxList]]));
const catalog = buildCodexCatalog(models);
const bySlug = new Map(catalog.models.map((entry) => [entry.slug, entry]));

describe('buildCodexCatalog', () => {
  it('gives every routed model one entry, never with a slug Codex would take for an OpenAI model', () => {
    expect(catalog.models.map((entry) => entry.slug)).toEqual([
      'coder',
      'relay-gpt-5',
      'deepseek-v4-pro',
      'deepseek-flash',
      'deepseek-v4-flash',
      'deepseek-reasoner',
      'deepseek-chat',
      ...models.filter((model) => model.provider.name === 'kimi' && !model.alias).map((model) => model.id),
      'box/gpt-oss-20b',
      'box/Qwen/Qwen3-8B',
    ]);
    for (const entry of catalog.models) expect(looksLikeOpenAiModel(entry.slug), entry.slug).toBe(false);
    expect(catalog.models.map((entry) => entry.priority)).toEqual(catalog.models.map((_, index) => index));
    // The router accepts every slug and sends it where the model name goes.
    expect(router.resolve('relay-gpt-5').upstreamModel).toBe('kimi-k2.6');
    expect([router.resolve('box/gpt-oss-20b').provider.name, router.resolve('box/gpt-oss-20b').upstreamModel]).toEqual([
      'box',
      'gpt-oss-20b',
    ]);
  });

  it('states the context window, the reasoning levels the provider accepts and a default', () => {
    const coder = bySlug.get('coder')!;
    expect(coder.context_window).toBe(1_048_576);
    expect(coder.max_context_window).toBe(1_048_576);
    // DeepSeek's "max" is Codex's deepest level, xhigh.
    expect(coder.supported_reasoning_levels.map((level) => level.effort)).toEqual(['none', 'low', 'high', 'xhigh']);
    expect(coder.default_reasoning_level).toBe('high');
    expect(coder.description).toBe(
      'coder: DeepSeek deepseek-v4-pro through responses-relay, falling back to kimi/kimi-k2.6',
    );
    const kimiSwitch = bySlug.get('relay-gpt-5')!;
    expect(kimiSwitch.supported_reasoning_levels.map((level) => level.effort)).toEqual(['none', 'high']);
    const noControl = bySlug.get('deepseek-chat')!;
    expect(noControl.supported_reasoning_levels).toEqual([]);
    expect(noControl.default_reasoning_level).toBeNull();
    expect(bySlug.get('box/Qwen/Qwen3-8B')!.context_window).toBe(40960);
  });

  it('allows image input only where the model takes images', () => {
    expect(bySlug.get('coder')!.input_modalities).toEqual(['text']);
    expect(bySlug.get('deepseek-flash')!.input_modalities).toEqual(['text', 'image']);
    expect(bySlug.get('relay-gpt-5')!.input_modalities).toEqual(['text', 'image']);
  });

  it('uses freeform apply_patch, the full Responses API, base instructions and a tool-output budget', () => {
    for (const entry of catalog.models) {
      expect(entry).toMatchObject({
        apply_patch_tool_type: 'freeform',
        use_responses_lite: false,
        shell_type: 'shell_command',
        supported_in_api: true,
        supports_parallel_tool_calls: true,
        truncation_policy: { mode: 'tokens', limit: 10_000 },
        experimental_supported_tools: [],
      });
      expect(entry.base_instructions).toContain('apply_patch');
    }
  });

  it('lists what is known and hides the rest of a long upstream list (still described)', () => {
    const openRouter = buildRouter({ provider: 'openrouter' }, undefined, {}, { requireKeys: false });
    const list = readUpstreamModelList({
      data: [
        { id: 'moonshotai/kimi-k2.6', context_length: 262144 },
        { id: 'someone/obscure-model', context_length: 8192 },
      ],
    });
    const entries = buildCodexCatalog(listRoutedModels(openRouter, new Map([['openrouter', list]]))).models;
    expect(entries.map((entry) => [entry.slug, entry.visibility, entry.context_window])).toEqual([
      ['moonshotai/kimi-k2.6', 'list', 262144],
      ['someone/obscure-model', 'hide', 8192],
    ]);
    // A provider whose profile knows none of its models lists them all.
    expect(catalog.models.filter((entry) => entry.slug.startsWith('box/')).map((entry) => entry.visibility)).toEqual([
      'list',
      'list',
    ]);
  });

  it('names aliases and provider models the way the router routes them', () => {
    const [coder] = models;
    expect(codexSlug(coder!)).toBe('coder');
    expect(codexSlug({ ...coder!, id: 'o3-like', alias: { fallbacks: [] } })).toBe('relay-o3-like');
  });
});
