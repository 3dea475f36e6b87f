/** `print-config --client claude-code` and `setup --client claude-code [--undo]` through the built CLI. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type MockUpstream, startMockUpstream } from '../support/mock-upstream.js';

let upstream: MockUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

/** A relay config for a mock vLLM upstream on port 4545, and an empty Claude Code home. */
async function relayConfig(): Promise<{ environment: Record<string, string>; claudeHome: string }> {
  upstream = await startMockUpstream(
    () => ({ kind: 'json', status: 500, body: {} }),
    [{ id: 'qwen3-coder', max_model_len: 131072 }],
  );
  const xdg = mkdtempSync(join(tmpdir(), 'relay-xdg-'));
  const claudeHome = mkdtempSync(join(tmpdir(), 'relay-claude-home-'));
  expect((await runCli(['init', '--provider', 'vllm'], { XDG_CONFIG_HOME: xdg })).code).toBe(0);
  const path = join(xdg, 'responses-relay', 'config.toml');
  writeFileSync(
    path,
    readFileSync(path, 'utf8')
      .replace('# base_url = "http://127.0.0.1:8000/v1"', `base_url = "${upstream.baseUrl}"`)
      .replace('port = 4444', 'port = 4545'),
  );
  return { environment: { XDG_CONFIG_HOME: xdg, CLAUDE_CONFIG_DIR: claudeHome }, claudeHome };
}

const EXPECTED_ENV = {
  ANTHROPIC_BASE_URL: 'http://127.0.0.1:4545',
  ANTHROPIC_AUTH_TOKEN: 'local',
  ANTHROPIC_MODEL: 'vllm/qwen3-coder',
  ANTHROPIC_SMALL_FAST_MODEL: 'vllm/qwen3-coder',
  ANTHROPIC_DEFAULT_HAIKU_MODEL: 'vllm/qwen3-coder',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};

describe('Claude Code settings', () => {
  it('print-config --client claude-code prints the exports and the settings.json fragment', async () => {
    const { environment } = await relayConfig();
    const result = await runCli(
      ['print-config', '--client', 'claude-code', '--model', 'vllm/qwen3-coder'],
      environment,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('export ANTHROPIC_BASE_URL=http://127.0.0.1:4545\n');
    expect(result.stdout).toContain('export ANTHROPIC_MODEL=vllm/qwen3-coder\n');
    const json = result.stdout.slice(result.stdout.indexOf('{'));
    expect(JSON.parse(json)).toEqual({ env: EXPECTED_ENV });
  });

  it('setup writes the env into settings.json keeping the rest; --undo puts back what it replaced', async () => {
    const { environment, claudeHome } = await relayConfig();
    const settingsPath = join(claudeHome, 'settings.json');
    const original = { theme: 'dark', env: { ANTHROPIC_MODEL: 'claude-opus-5-5', OTHER: 'kept' } };
    writeFileSync(settingsPath, JSON.stringify(original));

    const setup = await runCli(['setup', '--client', 'claude-code', '--model', 'vllm/qwen3-coder'], environment);
    expect(setup.code, setup.stderr).toBe(0);
    expect(JSON.parse(readFileSync(settingsPath, 'utf8'))).toEqual({
      theme: 'dark',
      env: { ...EXPECTED_ENV, OTHER: 'kept' },
    });
    expect(readdirSync(claudeHome).some((name) => name.startsWith('settings.json.backup-'))).toBe(true);

    const again = await runCli(['setup', '--client', 'claude-code', '--model', 'vllm/qwen3-coder'], environment);
    expect(again.stdout).toContain('nothing changed');

    const undo = await runCli(['setup', '--client', 'claude-code', '--undo'], environment);
    expect(undo.code, undo.stderr).toBe(0);
    expect(JSON.parse(readFileSync(settingsPath, 'utf8'))).toEqual(original);
  });

  it('setup on a home without settings.json creates it, and --undo removes it', async () => {
    const { environment, claudeHome } = await relayConfig();
    expect((await runCli(['setup', '--client', 'claude-code', '--model', 'vllm/qwen3-coder'], environment)).code).toBe(
      0,
    );
    expect(existsSync(join(claudeHome, 'settings.json'))).toBe(true);
    const undo = await runCli(['setup', '--client', 'claude-code', '--undo'], environment);
    expect(undo.stdout).toContain('removed');
    expect(existsSync(join(claudeHome, 'settings.json'))).toBe(false);
  });

  it('a settings.json that is not JSON is refused untouched', async () => {
    const { environment, claudeHome } = await relayConfig();
    writeFileSync(join(claudeHome, 'settings.json'), '{ broken');
    const result = await runCli(['setup', '--client', 'claude-code', '--model', 'vllm/qwen3-coder'], environment);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('is not valid JSON');
    expect(readFileSync(join(claudeHome, 'settings.json'), 'utf8')).toBe('{ broken');
  });
});
