/**
 * `--provider` in the single-upstream form: the profile's base URL and key
 * variable are defaults that --upstream / --upstream-key-env / --upstream-key
 * override; local runtimes need no key; mistakes are one-line errors.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServeOptions } from '../../src/cli/serve-command.js';
import { CliError } from '../../src/config/cli-error.js';
import { resolveUpstream } from '../../src/config/resolve-provider.js';
import { PROVIDER_IDS } from '../../src/providers/index.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';

const base: ServeOptions = { host: '127.0.0.1', port: 0, logLevel: 'silent' };

describe('resolveUpstream with --provider', () => {
  it('uses the profile URL and key variable', () => {
    const resolved = resolveUpstream({ ...base, provider: 'deepseek' }, { DEEPSEEK_API_KEY: 'sk-ds' });
    expect(resolved.profile.id).toBe('deepseek');
    expect(resolved.endpoint).toEqual({ baseUrl: 'https://api.deepseek.com/v1', apiKey: 'sk-ds' });
  });

  it('lets --upstream, --upstream-key-env and --upstream-key override the profile', () => {
    const environment = { DEEPSEEK_API_KEY: 'sk-default', MY_KEY: 'sk-mine' };
    expect(
      resolveUpstream({ ...base, provider: 'deepseek', upstream: 'https://proxy.example/v1' }, environment).endpoint,
    ).toEqual({ baseUrl: 'https://proxy.example/v1', apiKey: 'sk-default' });
    expect(
      resolveUpstream({ ...base, provider: 'deepseek', upstreamKeyEnv: 'MY_KEY' }, environment).endpoint.apiKey,
    ).toBe('sk-mine');
    expect(
      resolveUpstream({ ...base, provider: 'deepseek', upstreamKeyEnv: 'MY_KEY', upstreamKey: 'sk-flag' }, environment)
        .endpoint.apiKey,
    ).toBe('sk-flag');
  });

  it('names the missing key variable of a hosted provider', () => {
    expect(() => resolveUpstream({ ...base, provider: 'kimi' }, {})).toThrow(CliError);
    expect(() => resolveUpstream({ ...base, provider: 'kimi' }, {})).toThrow(/MOONSHOT_API_KEY/);
  });

  it('needs no key for local runtimes, even on another host', () => {
    for (const provider of ['ollama', 'vllm', 'llama-cpp', 'lm-studio']) {
      expect(resolveUpstream({ ...base, provider }, {}).endpoint.apiKey, provider).toBeUndefined();
    }
    expect(
      resolveUpstream({ ...base, provider: 'ollama', upstream: 'http://gpu-box.lan:11434/v1' }, {}).endpoint.baseUrl,
    ).toBe('http://gpu-box.lan:11434/v1');
    expect(resolveUpstream({ ...base, provider: 'vllm' }, { VLLM_API_KEY: 'token' }).endpoint.apiKey).toBe('token');
  });

  it('accepts aliases and rejects unknown names with the list', () => {
    expect(resolveUpstream({ ...base, provider: 'moonshot' }, { MOONSHOT_API_KEY: 'k' }).profile.id).toBe('kimi');
    expect(() => resolveUpstream({ ...base, provider: 'nope' }, {})).toThrow(new RegExp(PROVIDER_IDS.join(', ')));
  });

  it('keeps the generic form: --upstream required, no key read from OPENAI_API_KEY', () => {
    expect(() => resolveUpstream(base, {})).toThrow(/no upstream/);
    expect(() =>
      resolveUpstream({ ...base, upstream: 'https://api.example.com/v1' }, { OPENAI_API_KEY: 'sk-openai' }),
    ).toThrow(/no API key/);
    expect(
      resolveUpstream({ ...base, upstream: 'http://127.0.0.1:9000/v1' }, { OPENAI_API_KEY: 'sk-openai' }).endpoint
        .apiKey,
    ).toBeUndefined();
  });
});

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/cli/main.js');

/** Runs the built CLI; resolves with its output once `until` matches stdout or it exits. */
function runCli(
  args: string[],
  environment: Record<string, string>,
  until?: RegExp,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`CLI did not finish: ${stdout}${stderr}`));
    }, 20_000);
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      if (until?.test(stdout)) {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: null });
        children.push(child);
      }
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

const children: Array<ReturnType<typeof spawn>> = [];
let upstream: MockUpstream | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await upstream?.close();
  upstream = undefined;
});

describe('the built CLI', () => {
  it('lists the profiles in --help', async () => {
    const { stdout, code } = await runCli(['--help'], {});
    expect(code).toBe(0);
    for (const id of PROVIDER_IDS) expect(stdout).toMatch(new RegExp(`^  ${id} `, 'm'));
  });

  it('takes the profile from RESPONSES_RELAY_PROVIDER and applies its quirks', async () => {
    upstream = await startMockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('ok'), finishChunk('stop')] }));
    const { stdout } = await runCli(
      ['--port', '0', '--store', 'memory'],
      {
        RESPONSES_RELAY_PROVIDER: 'ollama',
        RESPONSES_RELAY_UPSTREAM: upstream.baseUrl,
        RESPONSES_RELAY_LOG_LEVEL: 'silent',
      },
      /listening on (\S+)/,
    );
    const url = /listening on (\S+)/.exec(stdout)![1]!;
    const response = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'qwen3:8b',
        instructions: 'A',
        input: [
          { type: 'message', role: 'user', content: 'u' },
          { type: 'message', role: 'developer', content: 'B' },
        ],
        reasoning: { effort: 'none' },
      }),
    });
    expect(response.status).toBe(200);
    const sent = upstream.requests[0]!.body;
    expect(sent.reasoning_effort).toBe('none');
    expect(sent.messages.map((message: { role: string }) => message.role)).toEqual(['system', 'user', 'user']);
    expect(upstream.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('exits with code 2 and one line when the key is missing', async () => {
    const { stderr, code } = await runCli(['--provider', 'groq'], {});
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([
      'responses-relay: no API key for Groq: set GROQ_API_KEY, or pass --upstream-key-env <VARIABLE> or --upstream-key <key>',
    ]);
  });
});
