/**
 * The generated setup against the real Codex CLI: `responses-relay setup`
 * writes a temporary CODEX_HOME; `codex debug models` (every installed
 * release) reads the catalog back with our context windows and reasoning
 * levels; one `codex exec` turn goes through the relay to a scripted
 * upstream whose model answers with apply_patch, and the file appears.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServingCli, startCli } from '../support/cli.js';
import {
  finishChunk,
  type MockUpstream,
  startMockUpstream,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { CODEX_RELEASES, runCodex } from './codex-process.js';

const PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+hello from the relay\n*** End Patch\n';

let root: string;
let upstream: MockUpstream;
let relay: ServingCli;
let codexEnvironment: NodeJS.ProcessEnv;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'relay-codex-setup-'));
  // The scripted model: apply_patch first, a short answer once the tool result is back.
  upstream = await startMockUpstream(
    (request) => {
      const messages: Array<{ role: string }> = request.body?.messages ?? [];
      if (messages.some((message) => message.role === 'tool')) {
        return { kind: 'sse', chunks: [...textChunks('Created hello.txt.'), finishChunk('stop'), usageChunk(1200, 8)] };
      }
      return {
        kind: 'sse',
        chunks: [
          ...toolCallChunks(0, 'call_patch_1', 'apply_patch', JSON.stringify({ input: PATCH })),
          finishChunk('tool_calls'),
          usageChunk(1000, 40),
        ],
      };
    },
    // The upstream's own figure for the context window wins over the one declared below.
    [{ id: 'mock-coder', object: 'model', context_length: 180_000 }],
  );
  const configPath = join(root, 'relay.toml');
  writeFileSync(
    configPath,
    `
[serve]
host = "127.0.0.1"
port = 0
log-level = "silent"

[providers.mock]
base_url = "${upstream.baseUrl}"
models = [{ id = "mock-coder", context_window = 200000, reasoning_efforts = ["low", "high", "max"], default_reasoning_effort = "high", images = false }]

[aliases]
coder = "mock/mock-coder"
gpt-relay = "mock/mock-coder"

[codex]
model = "coder"
`,
  );
  const environment = { XDG_CONFIG_HOME: join(root, 'xdg'), CODEX_HOME: join(root, 'codex-home') };
  relay = await startCli(['--config', configPath], environment);
  const setup = await runCli(['setup', '--config', configPath, '--port', new URL(relay.url).port], environment);
  expect(setup.code, setup.stderr).toBe(0);
  mkdirSync(join(root, 'home'));
  codexEnvironment = {
    HOME: join(root, 'home'),
    CODEX_HOME: environment.CODEX_HOME,
    RESPONSES_RELAY_CLIENT_KEY: 'local',
  };
});

afterAll(async () => {
  await relay?.stop('SIGKILL');
  await upstream?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the generated config with the real Codex CLI', () => {
  for (const codex of CODEX_RELEASES) {
    it(`codex ${codex.version}: debug models reads the catalog with our context windows and reasoning levels`, async () => {
      const run = await runCodex(codex, ['debug', 'models'], codexEnvironment, root, 60_000);
      expect(run.timedOut).toBe(false);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.stderr).not.toMatch(/Model metadata for .* not found/);
      const catalog = JSON.parse(run.stdout) as { models: Array<Record<string, any>> };
      const entries = catalog.models.map((entry) => ({
        slug: entry.slug,
        context: entry.context_window,
        levels: entry.supported_reasoning_levels.map((level: { effort: string }) => level.effort),
        defaultLevel: entry.default_reasoning_level,
        patch: entry.apply_patch_tool_type,
        modalities: entry.input_modalities,
      }));
      const expected = {
        context: 180_000,
        levels: ['low', 'high', 'xhigh'],
        defaultLevel: 'high',
        patch: 'freeform',
        modalities: ['text'],
      };
      expect(entries).toEqual([
        { slug: 'coder', ...expected },
        // Starts like an OpenAI model, so the catalog (and the router) use a prefixed name.
        { slug: 'relay-gpt-relay', ...expected },
        { slug: 'mock-coder', ...expected },
      ]);
    });
  }

  const newest = CODEX_RELEASES.at(-1)!;
  it(`codex ${newest.version}: one exec turn through the relay uses apply_patch and the file appears`, async () => {
    const project = join(root, 'project');
    mkdirSync(project);
    const run = await runCodex(
      newest,
      [
        'exec',
        '--skip-git-repo-check',
        '--dangerously-bypass-approvals-and-sandbox',
        '--color',
        'never',
        '--cd',
        project,
        'Create hello.txt saying hello',
      ],
      codexEnvironment,
      project,
      90_000,
    );
    const transcript = `exit ${run.exitCode}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
    expect(run.timedOut, transcript).toBe(false);
    expect(run.exitCode, transcript).toBe(0);
    expect(`${run.stdout}${run.stderr}`, transcript).not.toMatch(/Model metadata for .* not found/);
    expect(existsSync(join(project, 'hello.txt')), transcript).toBe(true);
    expect(readFileSync(join(project, 'hello.txt'), 'utf8')).toBe('hello from the relay\n');

    const [first, second] = upstream.requests.map((request) => request.body);
    expect(first.model).toBe('mock-coder');
    // The catalog made Codex send apply_patch as a freeform tool and its default effort.
    const patchTool = first.tools.find((tool: { function: { name: string } }) => tool.function.name === 'apply_patch');
    expect(patchTool.function.parameters.required).toEqual(['input']);
    expect(first.reasoning_effort).toBe('high');
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_patch_1' });
  });
});
