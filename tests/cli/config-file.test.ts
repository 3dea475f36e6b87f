/** The config file through the built CLI: precedence, validation, init, several providers at once. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type ServingCli, startCli } from '../support/cli.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';

let serving: ServingCli | undefined;
const upstreams: MockUpstream[] = [];

afterEach(async () => {
  await serving?.stop('SIGKILL');
  serving = undefined;
  for (const upstream of upstreams.splice(0)) await upstream.close();
});

function writeConfig(text: string): { directory: string; path: string } {
  const directory = mkdtempSync(join(tmpdir(), 'relay-cli-config-'));
  const path = join(directory, 'relay.toml');
  writeFileSync(path, text);
  return { directory, path };
}

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('serve settings from the config file', () => {
  it('takes flags over RESPONSES_RELAY_* variables over the file over defaults', async () => {
    const filePort = await freePort();
    const { path } = writeConfig(
      `[serve]\nhost = "127.0.0.1"\nport = ${filePort}\nlog-level = "silent"\nupstream = "http://127.0.0.1:9/v1"\n`,
    );

    serving = await startCli(['--config', path]);
    expect(portOf(serving.url)).toBe(filePort);
    await serving.stop();

    serving = await startCli(['--config', path], { RESPONSES_RELAY_PORT: '0' });
    expect(portOf(serving.url)).not.toBe(filePort);
    await serving.stop();

    const flagPort = await freePort();
    serving = await startCli(['--config', path, '--port', String(flagPort)], { RESPONSES_RELAY_PORT: '0' });
    expect(portOf(serving.url)).toBe(flagPort);
  });

  it('finds the file through RESPONSES_RELAY_CONFIG and XDG_CONFIG_HOME', async () => {
    const { path } = writeConfig('[serve]\nport = 0\nlog-level = "silent"\nprovider = "ollama"\n');
    serving = await startCli([], { RESPONSES_RELAY_CONFIG: path });
    await serving.stop();
    const home = mkdtempSync(join(tmpdir(), 'relay-xdg-'));
    const init = await runCli(['init', '--provider', 'ollama'], { XDG_CONFIG_HOME: home });
    expect(init.code).toBe(0);
    expect(init.stdout.trim()).toBe(`wrote ${join(home, 'responses-relay', 'config.toml')}`);
    serving = await startCli(['--port', '0', '--log-level', 'silent'], { XDG_CONFIG_HOME: home });
  });

  it('rejects an unknown or mistyped serve setting in one line naming the file and key, with exit code 2', async () => {
    const unknown = writeConfig('[serve]\nprot = 4444\n');
    const first = await runCli(['--config', unknown.path]);
    expect(first.code).toBe(2);
    expect(first.stderr.trim().split('\n')).toHaveLength(1);
    expect(first.stderr).toContain(
      `${unknown.path}: serve.prot: unknown serve setting; the settings are the serve flags: host, port,`,
    );

    const mistyped = writeConfig('[serve]\nport = "many"\n');
    const second = await runCli(['--config', mistyped.path]);
    expect(second.code).toBe(2);
    expect(second.stderr.trim()).toBe(`responses-relay: ${mistyped.path}: serve.port: expected a number, got "many"`);

    const badChoice = writeConfig('[serve]\nlog_level = "loud"\n');
    const third = await runCli(['--config', badChoice.path]);
    expect(third.code).toBe(2);
    expect(third.stderr).toContain('serve.log_level: expected one of "fatal", "error"');
  });

  it('explains a missing or broken file with exit code 2', async () => {
    const missing = await runCli(['--config', '/nonexistent/relay.toml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'responses-relay: config file /nonexistent/relay.toml does not exist (create one with `responses-relay init`)',
    );
    const broken = writeConfig('[providers.x]\nprofile = "nope"\n');
    const result = await runCli(['--config', broken.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${broken.path}: providers.x.profile: unknown profile 'nope'; known profiles: generic, deepseek, kimi`,
    );
  });
});

describe('RESPONSES_RELAY_* variables', () => {
  it('ignores variables the command has no flag for, but not unknown flags on the command line', async () => {
    // The variable Codex sends to the relay as its key lives in the same shell as the relay.
    serving = await startCli(['--provider', 'ollama', '--port', '0'], {
      RESPONSES_RELAY_CLIENT_KEY: 'local',
      RESPONSES_RELAY_LOG_LEVEL: 'silent',
    });
    await serving.stop();
    serving = undefined;
    // A serve setting in the environment does not stop another command.
    const models = await runCli(['models', '--provider', 'kimi'], {
      RESPONSES_RELAY_LOG_LEVEL: 'debug',
      RESPONSES_RELAY_PORT: '1',
    });
    expect(models.code, models.stderr).toBe(0);
    const unknown = await runCli(['--provider', 'ollama', '--client-key', 'x'], {
      RESPONSES_RELAY_CLIENT_KEY: 'local',
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown arguments: client-key');
  });
});

describe('responses-relay init', () => {
  it('writes a commented starter config and refuses to overwrite it without --force', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'relay-init-'));
    const path = join(directory, 'sub', 'relay.toml');
    const first = await runCli(['init', '--config', path, '--provider', 'kimi']);
    expect(first.code).toBe(0);
    const written = readFileSync(path, 'utf8');
    expect(written).toContain('[providers.kimi]');
    expect(written).toContain('# base_url = "https://api.moonshot.ai/v1"');
    writeFileSync(path, '# mine\n');
    const second = await runCli(['init', '--config', path]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('already exists; pass --force to replace it');
    expect(readFileSync(path, 'utf8')).toBe('# mine\n');
    const forced = await runCli(['init', '--config', path, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('[providers.deepseek]');
  });
});

describe('several providers in one relay', () => {
  it('routes aliases, prefixes and fallbacks across the providers of the file', async () => {
    const primary = await startMockUpstream(() => ({
      kind: 'json',
      status: 500,
      body: { error: { message: 'primary is down' } },
    }));
    const backup = await startMockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('from backup'), finishChunk('stop')],
    }));
    upstreams.push(primary, backup);
    const { path } = writeConfig(`
[serve]
port = 0
log-level = "silent"
upstream-retries = 0

[providers.primary]
base_url = "${primary.baseUrl}"

[providers.backup]
profile = "vllm"
base_url = "${backup.baseUrl}"

[aliases]
coder = { route = "primary/big-model", fallbacks = ["backup/small-model"] }
`);
    serving = await startCli(['--config', path]);
    const post = (model: string) =>
      fetch(`${serving!.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, input: 'hi' }),
      });

    const viaAlias = await post('coder');
    expect(viaAlias.status).toBe(200);
    expect(((await viaAlias.json()) as any).output[0].content[0].text).toBe('from backup');
    expect(primary.requests.map((request) => request.body.model)).toEqual(['big-model']);
    expect(backup.requests.map((request) => request.body.model)).toEqual(['small-model']);

    const viaPrefix = await post('backup/other-model');
    expect(viaPrefix.status).toBe(200);
    expect(backup.requests.at(-1)!.body.model).toBe('other-model');

    // No alias, no prefix: the default provider, no fallback.
    const bare = await post('big-model');
    expect(bare.status).toBe(502);
    expect(primary.requests).toHaveLength(2);
  });
});
