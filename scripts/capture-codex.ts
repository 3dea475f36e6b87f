/**
 * Captures what a Codex CLI release sends to a Responses server, one folder
 * per scenario: fixtures/codex/<version>/<scenario>/request-N.json.
 *
 *   npm run capture:codex -- --codex-version 0.169.0 [--scenario text] [--out fixtures/codex]
 *   npm run capture:codex -- --all
 *
 * Codex runs for real (`codex exec`) in a temporary CODEX_HOME whose
 * config.toml points at a scripted Responses server on 127.0.0.1, with a
 * model catalog so apply_patch is freeform and reasoning effort is on.
 * Captures are normalised (paths, ids, dates) so re-running gives the same files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_MCP_SERVER_NAME, testMcpServer } from '../harness/codex/mcp.js';
import { describeRun, runCodexExec } from '../harness/codex/run-codex.js';
import {
  findPinnedCodex,
  installPinnedCodex,
  type PinnedCodex,
  PROJECT_ROOT,
  pinnedCodexVersions,
} from '../harness/codex/versions.js';
import { createCodexWorkspace } from '../harness/codex/workspace.js';
import { startCaptureServer } from './capture/capture-server.js';
import { CaptureNormalizer } from './capture/normalize.js';
import { CAPTURE_SCENARIOS, type CaptureScenario } from './capture/scenarios.js';

/** The model slug the captures use; it reaches the fixtures as `model`. */
export const CAPTURE_MODEL = 'relay-model';

interface ScenarioOutcome {
  scenario: string;
  ok: boolean;
  requests: number;
  detail: string;
}

async function captureScenario(
  codex: PinnedCodex,
  scenario: CaptureScenario,
  outDirectory: string,
): Promise<ScenarioOutcome> {
  const server = await startCaptureServer(scenario.pick);
  const workspace = createCodexWorkspace({
    baseUrl: server.baseUrl,
    catalog: { slug: CAPTURE_MODEL, searchTool: true },
    requestMaxRetries: 0,
    streamMaxRetries: 0,
    ...(scenario.mcp ? { mcpServers: (project: string) => ({ [TEST_MCP_SERVER_NAME]: testMcpServer(project) }) } : {}),
  });
  try {
    const args = scenario.setup?.(workspace.project, workspace.root) ?? [];
    const result = await runCodexExec({
      codex,
      workspace,
      prompt: scenario.prompt,
      args,
      apiKey: 'sk-capture',
      timeoutMs: 60_000,
    });
    const failed = result.exitCode !== 0 || server.problems.length > 0 || server.requests.length === 0;
    const normalizer = new CaptureNormalizer({
      paths: [
        { path: workspace.project, placeholder: '<project>' },
        { path: workspace.codexHome, placeholder: '<codex-home>' },
        { path: workspace.home, placeholder: '<home>' },
        { path: workspace.root, placeholder: '<tmp>' },
        { path: PROJECT_ROOT, placeholder: '<repo>' },
        { path: process.execPath, placeholder: '<node>' },
      ],
    });
    // A failed capture is kept aside for inspection; the committed fixtures stay untouched.
    const directory = failed
      ? mkdtempSync(join(tmpdir(), `codex-${codex.version}-${scenario.name}-failed-`))
      : join(outDirectory, codex.version, scenario.name);
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    server.requests.forEach((request, index) => {
      const record = normalizer.request(request.method, request.path, request.headers, request.body);
      writeFileSync(join(directory, `request-${index + 1}.json`), `${JSON.stringify(record, null, 2)}\n`);
    });
    if (failed) {
      const detail = `${server.problems.join('; ')}\nrequests kept in ${directory}\n${describeRun(result)}`;
      return { scenario: scenario.name, ok: false, requests: server.requests.length, detail };
    }
    return {
      scenario: scenario.name,
      ok: true,
      requests: server.requests.length,
      detail: (result.lastMessage ?? '').trim(),
    };
  } finally {
    await server.close();
    workspace.remove();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'codex-version': { type: 'string', multiple: true },
      all: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true },
      out: { type: 'string', default: join(PROJECT_ROOT, 'fixtures', 'codex') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || (!values.all && !values['codex-version'])) {
    const pinned = pinnedCodexVersions()
      .map((codex) => codex.version)
      .join(', ');
    process.stdout.write(
      `usage: npm run capture:codex -- --codex-version <version> [--codex-version …] | --all [--scenario <name> …] [--out <dir>]\n` +
        `pinned Codex releases: ${pinned}\nscenarios: ${CAPTURE_SCENARIOS.map((scenario) => scenario.name).join(', ')}\n`,
    );
    return values.help ? 0 : 2;
  }
  const releases = values.all
    ? pinnedCodexVersions()
    : (values['codex-version'] ?? []).map((wanted) => findPinnedCodex(wanted));
  const wantedScenarios = values.scenario;
  const scenarios = wantedScenarios
    ? CAPTURE_SCENARIOS.filter((scenario) => wantedScenarios.includes(scenario.name))
    : CAPTURE_SCENARIOS;
  const unknown = (wantedScenarios ?? []).filter(
    (name) => !CAPTURE_SCENARIOS.some((scenario) => scenario.name === name),
  );
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  const outDirectory = resolve(values.out);

  let failures = 0;
  for (const codex of releases) {
    process.stdout.write(`Codex ${codex.version}\n`);
    await installPinnedCodex(codex);
    const outcomes = await Promise.all(scenarios.map((scenario) => captureScenario(codex, scenario, outDirectory)));
    for (const outcome of outcomes) {
      if (!outcome.ok) failures++;
      process.stdout.write(
        `  ${outcome.ok ? 'ok  ' : 'FAIL'} ${outcome.scenario} (${outcome.requests} request${outcome.requests === 1 ? '' : 's'})${outcome.ok ? '' : `\n${outcome.detail}`}\n`,
      );
    }
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`capture-codex: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
