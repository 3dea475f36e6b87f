/** `print-config`, `setup` and `setup --undo` through the built CLI, on temporary Codex homes. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type MockUpstream, startMockUpstream } from '../support/mock-upstream.js';

let upstream: MockUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

/** A relay config pointing at a mock upstream whose /models states context windows. */
async function relayConfig(): Promise<{ environment: Record<string, string>; xdg: string }> {
  upstream = await startMockUpstream(
    () => ({ kind: 'json', status: 500, body: {} }),
    [
      { id: 'qwen3-coder', max_model_len: 131072 },
      { id: 'gpt-oss-20b', max_model_len: 65536 },
    ],
  );
  const xdg = mkdtempSync(join(tmpdir(), 'relay-xdg-'));
  const home = mkdtempSync(join(tmpdir(), 'relay-codex-home-'));
  const init = await runCli(['init', '--provider', 'vllm'], { XDG_CONFIG_HOME: xdg });
  expect(init.code).toBe(0);
  const path = join(xdg, 'responses-relay', 'config.toml');
  writeFileSync(
    path,
    readFileSync(path, 'utf8')
      .replace('# base_url = "http://127.0.0.1:8000/v1"', `base_url = "${upstream.baseUrl}"`)
      .replace('port = 4444', 'port = 4545'),
  );
  return { environment: { XDG_CONFIG_HOME: xdg, CODEX_HOME: home }, xdg };
}

const USER_CODEX_CONFIG = `# my Codex setup
model = "gpt-5.5"
approval_policy = "on-request"

[model_providers.lab]
name = "Lab server"   # keep me
base_url = "http://lab:8080/v1"

[profiles.review]
model = "o3"
`;

describe('responses-relay print-config', () => {
  it('prints a provider table pointing at the relay and writes the model catalog it names', async () => {
    const { environment, xdg } = await relayConfig();
    const result = await runCli(['print-config', '--model', 'vllm/qwen3-coder'], environment);
    expect(result.code, result.stderr).toBe(0);
    const catalogPath = join(xdg, 'responses-relay', 'codex-models.json');
    const fragment = parse(result.stdout) as Record<string, any>;
    expect(fragment).toMatchObject({
      model: 'qwen3-coder',
      model_provider: 'responses-relay',
      model_catalog_json: catalogPath,
    });
    expect(fragment.model_providers['responses-relay']).toEqual({
      name: 'responses-relay',
      base_url: 'http://127.0.0.1:4545/v1',
      wire_api: 'responses',
      env_key: 'RESPONSES_RELAY_CLIENT_KEY',
      env_key_instructions: expect.stringContaining('export RESPONSES_RELAY_CLIENT_KEY=local'),
      request_max_retries: 2,
      stream_max_retries: 3,
      stream_idle_timeout_ms: 600000,
      supports_websockets: true,
    });
    expect(result.stderr).toContain(`wrote the Codex model catalog (2 models) to ${catalogPath}`);
    const catalog = JSON.parse(readFileSync(catalogPath, 'utf8')) as { models: Array<Record<string, any>> };
    expect(catalog.models.map((entry) => [entry.slug, entry.context_window])).toEqual([
      ['qwen3-coder', 131072],
      // Starts like an OpenAI model: named by its provider prefix instead.
      ['vllm/gpt-oss-20b', 65536],
    ]);
  });

  it('is also spelled --print-config (as in codex-relay), before or after the other flags, with the same output', async () => {
    const { environment } = await relayConfig();
    const command = await runCli(['print-config', '--model', 'vllm/qwen3-coder'], environment);
    const flagFirst = await runCli(['--print-config', '--model', 'vllm/qwen3-coder'], environment);
    const flagLast = await runCli(['--model', 'vllm/qwen3-coder', '--print-config'], environment);
    expect(command.code, command.stderr).toBe(0);
    expect(flagFirst.code, flagFirst.stderr).toBe(0);
    expect(flagFirst.stdout).toBe(command.stdout);
    expect(flagLast.stdout).toBe(command.stdout);
  });

  it('needs a fixed port, and describes a starting model no list mentions', async () => {
    const { environment } = await relayConfig();
    const port = await runCli(['print-config', '--port', '0'], environment);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("Codex needs the relay's fixed port");
    const model = await runCli(['print-config', '--model', 'new-model'], environment);
    expect(model.code).toBe(0);
    expect(model.stdout).toContain('model = "new-model"');
    expect(model.stderr).toContain('wrote the Codex model catalog (3 models)');
    expect(model.stderr).toContain('note: no context window is known for new-model');
  });
});

describe('responses-relay setup', () => {
  it('backs up, writes only its own settings, changes nothing the second time, and undoes exactly', async () => {
    const { environment } = await relayConfig();
    const codexHome = environment.CODEX_HOME!;
    const configPath = join(codexHome, 'config.toml');
    writeFileSync(configPath, USER_CODEX_CONFIG);

    const first = await runCli(['setup'], environment);
    expect(first.code, first.stderr).toBe(0);
    const backups = readdirSync(codexHome).filter((name) => name.startsWith('config.toml.backup-'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(codexHome, backups[0]!), 'utf8')).toBe(USER_CODEX_CONFIG);
    const written = readFileSync(configPath, 'utf8');
    const parsed = parse(written) as Record<string, any>;
    expect(parsed.model_provider).toBe('responses-relay');
    expect(parsed.model_providers['responses-relay'].base_url).toBe('http://127.0.0.1:4545/v1');
    expect(parsed.model_providers.lab).toEqual({ name: 'Lab server', base_url: 'http://lab:8080/v1' });
    expect(written).toContain('name = "Lab server"   # keep me');
    expect(written).toContain('# my Codex setup');

    const second = await runCli(['setup'], environment);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already has these settings; nothing changed');
    expect(readFileSync(configPath, 'utf8')).toBe(written);
    expect(readdirSync(codexHome).filter((name) => name.startsWith('config.toml.backup-'))).toHaveLength(1);

    const undo = await runCli(['setup', '--undo'], environment);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain('restored');
    expect(readFileSync(configPath, 'utf8')).toBe(USER_CODEX_CONFIG);
    const again = await runCli(['setup', '--undo'], environment);
    expect(again.stdout).toContain('nothing to undo');
  });

  it('removes exactly what it added when the file was edited since', async () => {
    const { environment } = await relayConfig();
    const configPath = join(environment.CODEX_HOME!, 'config.toml');
    writeFileSync(configPath, USER_CODEX_CONFIG);
    expect((await runCli(['setup'], environment)).code).toBe(0);
    const edited = `${readFileSync(configPath, 'utf8').replace('approval_policy = "on-request"', 'approval_policy = "never"')}\n[mcp_servers.docs]\ncommand = "docs"\n`;
    writeFileSync(configPath, edited);
    const undo = await runCli(['setup', '--undo'], environment);
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain("took the relay's settings out");
    expect(readFileSync(configPath, 'utf8')).toBe(
      `${USER_CODEX_CONFIG.replace('approval_policy = "on-request"', 'approval_policy = "never"')}\n[mcp_servers.docs]\ncommand = "docs"\n`,
    );
  });

  it('creates the config in an empty CODEX_HOME, and undo removes it again', async () => {
    const { environment } = await relayConfig();
    const codexHome = join(environment.CODEX_HOME!, 'fresh');
    const result = await runCli(['setup'], { ...environment, CODEX_HOME: codexHome });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(codexHome, 'config.toml'))).toBe(true);
    const undo = await runCli(['setup', '--undo'], { ...environment, CODEX_HOME: codexHome });
    expect(undo.stdout).toContain('removed');
    expect(existsSync(join(codexHome, 'config.toml'))).toBe(false);
  });
});
