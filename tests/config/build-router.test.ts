/** Routing built from flags and the config file: providers, defaults, aliases, fallbacks, precedence. */
import { describe, expect, it } from 'vitest';
import { buildRouter } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';

const FILE = parseConfigText(
  `
[providers.deepseek]

[providers.openrouter]
api_key_env = "OR_KEY"

[providers.box]
profile = "vllm"
base_url = "http://gpu-box:8000/v1"
models = [{ id = "qwen3-coder", context_window = 65536 }]

[aliases]
coder = { route = "deepseek/deepseek-v4-pro", fallbacks = ["openrouter/deepseek/deepseek-v4-pro", "box/qwen3-coder"] }
kimi = "openrouter/moonshotai/kimi-k2.6"
plain = "some-model"
gpt-5 = "deepseek/deepseek-v4-flash"
`,
  '/etc/relay.toml',
);

const KEYS = { DEEPSEEK_API_KEY: 'sk-ds', OR_KEY: 'sk-or' };

describe('buildRouter', () => {
  it("routes aliases, provider prefixes and bare names across the file's providers", () => {
    const router = buildRouter({}, FILE, KEYS, { requireKeys: true });
    expect(router.defaultProvider.name).toBe('deepseek');
    const coder = router.resolve('coder');
    expect([coder.provider.name, coder.upstreamModel]).toEqual(['deepseek', 'deepseek-v4-pro']);
    expect(coder.fallbacks.map((route) => [route.provider.name, route.upstreamModel])).toEqual([
      ['openrouter', 'deepseek/deepseek-v4-pro'],
      ['box', 'qwen3-coder'],
    ]);
    // The part before the first slash is a provider only when one has that name.
    expect([router.resolve('kimi').provider.name, router.resolve('kimi').upstreamModel]).toEqual([
      'openrouter',
      'moonshotai/kimi-k2.6',
    ]);
    expect([router.resolve('plain').provider.name, router.resolve('plain').upstreamModel]).toEqual([
      'deepseek',
      'some-model',
    ]);
    expect([router.resolve('box/qwen3-coder').provider.name, router.resolve('box/qwen3-coder').upstreamModel]).toEqual([
      'box',
      'qwen3-coder',
    ]);
    expect(router.resolve('deepseek-chat').provider.name).toBe('deepseek');
    // Keys come from each provider's variable; the profile's URL is the default.
    expect(router.providers.get('openrouter')!.endpoint).toEqual({
      baseUrl: 'https://openrouter.ai/api/v1',
      apiKey: 'sk-or',
    });
    expect(router.providers.get('box')!.endpoint.apiKey).toBeUndefined();
    // Models the file declares come first in the profile, so they win.
    expect(router.providers.get('box')!.profile.models[0]).toEqual({ id: 'qwen3-coder', contextWindow: 65536 });
  });

  it('also routes the catalog spelling of an alias that starts like an OpenAI model', () => {
    const router = buildRouter({}, FILE, KEYS, { requireKeys: true });
    expect(router.resolve('relay-gpt-5').upstreamModel).toBe('deepseek-v4-flash');
    expect(router.resolve('gpt-5').upstreamModel).toBe('deepseek-v4-flash');
  });

  it("makes --provider the default, merged with the file's provider of that name (flag > file > profile)", () => {
    const router = buildRouter({ provider: 'box', upstream: 'http://other-box:9000/v1' }, FILE, KEYS, {
      requireKeys: true,
    });
    expect(router.defaultProvider.name).toBe('box');
    expect(router.defaultProvider.endpoint.baseUrl).toBe('http://other-box:9000/v1');
    expect(router.defaultProvider.profile.id).toBe('vllm');
    expect(router.resolve('qwen3-coder').provider.name).toBe('box');
    const byProfile = buildRouter({ provider: 'openrouter' }, FILE, KEYS, { requireKeys: true });
    expect(byProfile.defaultProvider.endpoint).toEqual({ baseUrl: 'https://openrouter.ai/api/v1', apiKey: 'sk-or' });
  });

  it("adds a single upstream from flags next to the file's providers", () => {
    const router = buildRouter(
      { provider: 'groq', modelMap: 'g:llama-3.3-70b-versatile' },
      FILE,
      { ...KEYS, GROQ_API_KEY: 'sk-groq' },
      { requireKeys: true },
    );
    expect([...router.providers.keys()]).toEqual(['groq', 'deepseek', 'openrouter', 'box']);
    expect(router.resolve('g').provider.name).toBe('groq');
    expect(router.resolve('llama-3.1-8b-instant').provider.name).toBe('groq');
    expect(router.resolve('coder').provider.name).toBe('deepseek');
  });

  it('uses default_provider, else the first provider of the file', () => {
    const file = parseConfigText(
      'default_provider = "b"\n[providers.a]\nprofile = "ollama"\n[providers.b]\nprofile = "lm-studio"\n',
      'relay.toml',
    );
    expect(buildRouter({}, file, {}, { requireKeys: true }).defaultProvider.name).toBe('b');
    const first = parseConfigText(
      '[providers.a]\nprofile = "ollama"\n[providers.b]\nprofile = "lm-studio"\n',
      'relay.toml',
    );
    expect(buildRouter({}, first, {}, { requireKeys: true }).defaultProvider.name).toBe('a');
  });

  it('names the file and provider when a key is missing, unless keys are not required', () => {
    expect(() => buildRouter({}, FILE, { DEEPSEEK_API_KEY: 'sk' }, { requireKeys: true })).toThrow(
      '/etc/relay.toml: providers.openrouter: environment variable OR_KEY (named by api_key_env) is not set or empty',
    );
    expect(() => buildRouter({}, FILE, { OR_KEY: 'sk' }, { requireKeys: true })).toThrow(
      '/etc/relay.toml: providers.deepseek: no API key for DeepSeek: set DEEPSEEK_API_KEY',
    );
    expect(buildRouter({}, FILE, {}, { requireKeys: false }).providers.size).toBe(3);
  });

  it('refuses single-upstream key flags that would apply to no provider, and aliases named like providers', () => {
    expect(() => buildRouter({ upstreamKeyEnv: 'X' }, FILE, KEYS, { requireKeys: true })).toThrow(
      /apply to the single upstream/,
    );
    const clash = parseConfigText(
      '[providers.deepseek]\n[aliases]\ndeepseek = "deepseek/deepseek-chat"\n',
      'relay.toml',
    );
    expect(() => buildRouter({}, clash, KEYS, { requireKeys: true })).toThrow(
      'relay.toml: aliases.deepseek: an alias cannot have the name of a provider',
    );
  });

  it('keeps the single-upstream form working without a file', () => {
    const router = buildRouter({ provider: 'deepseek', modelMap: 'codex:deepseek-v4-pro' }, undefined, KEYS, {
      requireKeys: true,
    });
    expect(router.defaultProvider.name).toBe('deepseek');
    expect(router.resolve('codex').upstreamModel).toBe('deepseek-v4-pro');
    expect(() => buildRouter({}, undefined, {}, { requireKeys: true })).toThrow(/no upstream/);
  });
});
