/** The config file: what it accepts, and one clear line for everything it does not. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError } from '../../src/config/cli-error.js';
import { loadConfigFile, parseConfigText } from '../../src/config/config-file.js';
import { starterConfig } from '../../src/config/starter-config.js';
import { PROVIDER_IDS, PROVIDER_PROFILES } from '../../src/providers/index.js';

const FULL_EXAMPLE = `
default_provider = "deepseek"

[serve]
port = 5555
log-level = "debug"

[providers.deepseek]
profile = "deepseek"

[providers.openrouter]
base_url = "https://openrouter.ai/api/v1"
api_key_env = "MY_OPENROUTER_KEY"
headers = { "X-Title" = "team" }

[providers.box]
profile = "vllm"
base_url = "http://gpu-box:8000/v1"
models = [{ id = "qwen3-coder", context_window = 131072, reasoning_efforts = ["none", "high"], images = false }]

[aliases]
coder = "deepseek/deepseek-v4-pro"
fast = { route = "openrouter/qwen/qwen3-coder", fallbacks = ["box/qwen3-coder", "deepseek/deepseek-v4-flash"] }

[codex]
model = "coder"
catalog = "~/catalog.json"
env_key = "RELAY_KEY"
`;

/** The one-line message a config text is rejected with. */
function rejection(text: string): string {
  try {
    parseConfigText(text, '/etc/relay.toml');
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('parseConfigText', () => {
  it('reads providers, aliases with fallbacks, serve settings and Codex settings', () => {
    const file = parseConfigText(FULL_EXAMPLE, 'relay.toml');
    expect(file.defaultProvider).toBe('deepseek');
    expect(file.serve).toEqual({ port: 5555, 'log-level': 'debug' });
    expect(
      file.providers.map((provider) => [provider.name, provider.profile.id, provider.baseUrl, provider.apiKeyEnv]),
    ).toEqual([
      ['deepseek', 'deepseek', undefined, undefined],
      // A table named after a profile uses that profile without saying so.
      ['openrouter', 'openrouter', 'https://openrouter.ai/api/v1', 'MY_OPENROUTER_KEY'],
      ['box', 'vllm', 'http://gpu-box:8000/v1', undefined],
    ]);
    expect(file.providers[1]!.headers).toEqual({ 'X-Title': 'team' });
    expect(file.providers[2]!.models).toEqual([
      { id: 'qwen3-coder', contextWindow: 131072, reasoningEfforts: ['none', 'high'], images: false },
    ]);
    expect(file.aliases).toEqual([
      { name: 'coder', route: 'deepseek/deepseek-v4-pro', fallbacks: [] },
      {
        name: 'fast',
        route: 'openrouter/qwen/qwen3-coder',
        fallbacks: ['box/qwen3-coder', 'deepseek/deepseek-v4-flash'],
      },
    ]);
    expect(file.codex).toEqual({ model: 'coder', catalog: '~/catalog.json', envKey: 'RELAY_KEY' });
  });

  it('uses the generic profile for a table that names none and is not a profile', () => {
    const file = parseConfigText('[providers.work]\nbase_url = "https://llm.example.com/v1"\n', 'relay.toml');
    expect(file.providers[0]!.profile.id).toBe('generic');
  });

  it('names the file, line and column of a TOML syntax error', () => {
    expect(rejection('[serve]\nport = \n')).toMatch(/^\/etc\/relay\.toml: line 2, column \d+: /);
  });

  it('names the key and what is wrong', () => {
    expect(rejection('[providers.deepseek]\nbase_url = 42\n')).toBe(
      '/etc/relay.toml: providers.deepseek.base_url: Invalid input: expected string, received number',
    );
    expect(rejection('[providers.deepseek]\nbase_url = "ftp://x"\n')).toContain(
      'providers.deepseek.base_url: expected an http:// or https:// URL',
    );
    expect(rejection('[providers.deepseek]\nbase_ulr = "https://x/v1"\n')).toBe(
      '/etc/relay.toml: providers.deepseek.base_ulr: unknown key',
    );
    expect(rejection('[providers.deepseek]\napi_key_env = "not a name"\n')).toContain(
      'providers.deepseek.api_key_env: expected an environment variable name',
    );
    expect(rejection('[aliases]\ncoder = 3\n')).toContain(
      'aliases.coder: expected "provider/model" or { route = "provider/model"',
    );
    expect(rejection('[providers.box]\nmodels = [{ id = "m" }]\n')).toContain('providers.box.models[0].context_window');
    expect(rejection('prots = 1\n')).toBe('/etc/relay.toml: prots: unknown key');
    expect(rejection('[aliases."my model"]\nroute = 1\n')).toContain('aliases."my model"');
  });

  it('lists the known profiles when a profile name is unknown', () => {
    const message = rejection('[providers.mine]\nprofile = "deepsek"\n');
    expect(message).toBe(
      `/etc/relay.toml: providers.mine.profile: unknown profile 'deepsek'; known profiles: ${PROVIDER_IDS.join(', ')}`,
    );
  });

  it('rejects a default provider the file does not declare, and provider names Codex would take for OpenAI models', () => {
    expect(rejection('default_provider = "kimi"\n[providers.deepseek]\n')).toBe(
      "/etc/relay.toml: default_provider: 'kimi' is not a provider in this file (providers: deepseek)",
    );
    expect(rejection('[providers.gpt-box]\nprofile = "vllm"\n')).toContain(
      'providers.gpt-box: a provider name must not start like an OpenAI model',
    );
    expect(rejection('[providers."a/b"]\nprofile = "vllm"\n')).toContain('no "/"');
  });
});

describe('loadConfigFile', () => {
  it('requires a file named explicitly, and skips a missing default file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'relay-config-'));
    const missing = join(directory, 'nope.toml');
    expect(() => loadConfigFile(missing, true)).toThrow(`config file ${missing} does not exist`);
    expect(loadConfigFile(missing, false)).toBeUndefined();
    writeFileSync(join(directory, 'relay.toml'), '[serve]\nport = 1\n');
    expect(loadConfigFile(join(directory, 'relay.toml'), false)?.serve).toEqual({ port: 1 });
  });
});

describe('starterConfig', () => {
  it('is a valid config for every profile', () => {
    for (const profile of PROVIDER_PROFILES) {
      const file = parseConfigText(starterConfig(profile), `${profile.id}.toml`);
      expect(
        file.providers.map((provider) => provider.profile.id),
        profile.id,
      ).toEqual([profile.id]);
      expect(file.defaultProvider).toBe(profile.id);
      // Profiles that know models start with an alias Codex uses.
      expect(file.aliases.length, profile.id).toBe(profile.models.length > 0 ? 1 : 0);
      expect(file.codex.model, profile.id).toBe(profile.models.length > 0 ? 'coder' : undefined);
    }
  });
});
