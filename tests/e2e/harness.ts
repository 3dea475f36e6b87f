/**
 * Runs one end-to-end scenario: a scripted Chat Completions upstream, the
 * relay in this process in front of it, and the real `codex exec` pointed at
 * the relay through a temporary CODEX_HOME. Everything listens on 127.0.0.1
 * with a free port and is torn down when the scenario ends.
 */
import { expect } from 'vitest';
import { TEST_MCP_SERVER_NAME, testMcpServer } from '../../harness/codex/mcp.js';
import type { CatalogOptions } from '../../harness/codex/model-catalog.js';
import { type CodexRunResult, describeRun, runCodexExec } from '../../harness/codex/run-codex.js';
import { codexMissingReason, type PinnedCodex } from '../../harness/codex/versions.js';
import { type CodexWorkspace, createCodexWorkspace } from '../../harness/codex/workspace.js';
import { INPUT_CONTINUED, INPUT_EXTENDS_KEPT } from '../../src/server/routes/responses.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { CHAIN_CONTINUED, PREWARM_ANSWERED } from '../../src/server/websocket/responses-socket.js';
import { captureLogs } from '../support/capture-logs.js';
import type { ThinkingMode } from '../support/chat-validation.js';
import { startTestRelay, type TestRelayOptions } from '../support/relay.js';
import { type ChatScript, type ScriptedUpstream, startScriptedUpstream } from '../support/scripted-upstream.js';
import { summarizeRequests } from './request-summary.js';

/** The model slug Codex asks for; the relay passes it to the upstream unchanged. */
export const E2E_MODEL = 'relay-model';

export interface E2EScenario {
  /** Stable id, shown in debug output (RELAY_E2E_DEBUG=1). */
  id: string;
  /** What is proven: the test title and the row of the compatibility matrix. */
  title: string;
  prompt: string;
  /** DeepSeek/Kimi-style rejection of tool-call turns without reasoning_content. */
  thinking?: ThinkingMode;
  catalog?: Partial<Omit<CatalogOptions, 'slug'>>;
  /** Configures the test MCP server (it writes into the project directory). */
  mcp?: boolean;
  /** Codex feature flags (`[features]` in config.toml). */
  features?: Record<string, boolean>;
  /** The oldest Codex release that has what the scenario needs; older releases do not run it. */
  minimumCodexVersion?: string;
  /** Codex is expected to stop with an error (the scenario checks which). */
  expectFailure?: boolean;
  /** Codex's `stream_idle_timeout_ms` (default 20 s here) and the relay's heartbeat interval (default 2 s). */
  streamIdleTimeoutMs?: number;
  heartbeatMs?: number;
  /** The relay's upstream timeouts and retries (default: its timeouts, no retries). */
  relay?: Pick<TestRelayOptions, 'timeouts' | 'retryPolicy'>;
  /** Also run over Codex's WebSocket transport (a representative set does; see docs/testing.md). */
  websocket?: boolean;
  /** The provider's `name` in config.toml ("OpenAI": Codex compacts remotely, through the relay). */
  providerName?: string;
  /**
   * Over HTTP, Codex's later turns resend the first turn's bytes with new items: the relay reads only
   * those (its debug line says how many items it took from the kept request).
   */
  continuesOverHttp?: boolean;
  /** Codex may compact with POST /responses/compact (a whole JSON turn) during a WebSocket session. */
  compactsOverHttp?: boolean;
  /** Prepares the project; returns extra `codex exec` arguments. */
  setup?: (workspace: CodexWorkspace) => string[];
  /** A second prompt sent by resuming the session (`codex exec resume --last`) after the first run. */
  followUpPrompt?: string;
  script: ChatScript;
  verify: (outcome: E2EOutcome) => void;
}

export interface E2EOutcome {
  codex: PinnedCodex;
  /** The last Codex run (the resumed one when there is a follow-up). */
  run: CodexRunResult;
  upstream: ScriptedUpstream;
  workspace: CodexWorkspace;
  /** The Chat Completions bodies the upstream received, in order. */
  bodies: Array<Record<string, any>>;
  /** Codex's output, for assertion messages. */
  transcript: string;
  /** The transport of each turn in the usage ledger (`sse`, `json`, `websocket`). */
  transports: string[];
}

/** How Codex reaches the relay: POST with SSE, or its WebSocket (`supports_websockets = true`). */
export type E2ETransport = 'http' | 'websocket';

/** What Codex prints when its WebSocket failed and it fell back to HTTP. */
const WEBSOCKET_FALLBACK = /failed to connect to Responses WebSocket|Reconnecting\.\.\./i;

/** Starts everything, runs Codex once, checks the common expectations and the scenario's own. */
export async function runScenario(
  codex: PinnedCodex,
  scenario: E2EScenario,
  transport: E2ETransport = 'http',
): Promise<void> {
  expect(codexMissingReason(codex), 'the pinned release must be installed').toBeUndefined();
  const upstream = await startScriptedUpstream(
    scenario.script,
    scenario.thinking ? { thinking: scenario.thinking } : {},
  );
  let relay: RunningRelay | undefined;
  // Over the WebSocket the relay's debug lines show the prewarm and the turns continued from the socket's chain;
  // over HTTP, the turns read as continuations of the one before.
  const logs = transport === 'websocket' || scenario.continuesOverHttp ? captureLogs() : undefined;
  let workspace: CodexWorkspace | undefined;
  try {
    relay = await startTestRelay(upstream.baseUrl, {
      heartbeatMs: scenario.heartbeatMs ?? 2_000,
      ...scenario.relay,
      ...(logs ? { logger: logs.logger } : {}),
    });
    workspace = createCodexWorkspace({
      baseUrl: `${relay.url}/v1`,
      catalog: { slug: E2E_MODEL, searchTool: true, ...scenario.catalog },
      // Small retry budgets and backoff keep failing runs short; one stream retry is
      // what the retry scenarios need.
      requestMaxRetries: 1,
      streamMaxRetries: 2,
      streamIdleTimeoutMs: scenario.streamIdleTimeoutMs ?? 20_000,
      // The MCP server writes its proof into this run's project directory.
      ...(scenario.features ? { extraConfig: { features: scenario.features } } : {}),
      ...(transport === 'websocket' ? { websocket: true } : {}),
      ...(scenario.providerName ? { providerName: scenario.providerName } : {}),
      ...(scenario.mcp
        ? { mcpServers: (project: string) => ({ [TEST_MCP_SERVER_NAME]: testMcpServer(project) }) }
        : {}),
    });
    const args = scenario.setup?.(workspace) ?? [];
    const runs = [await runCodexExec({ codex, workspace, prompt: scenario.prompt, args, timeoutMs: 30_000 })];
    if (scenario.followUpPrompt !== undefined && runs[0]!.exitCode === 0) {
      runs.push(
        await runCodexExec({ codex, workspace, prompt: scenario.followUpPrompt, resumeLast: true, timeoutMs: 30_000 }),
      );
    }
    const run = runs.at(-1)!;
    const transcript = `${runs.map(describeRun).join('\n')}\n--- upstream requests\n${summarizeRequests(upstream.requests)}`;
    if (process.env.RELAY_E2E_DEBUG)
      process.stderr.write(`\n=== Codex ${codex.version} ${scenario.id}\n${transcript}\n`);
    const ledger = (await relay.usage.query({})).map((record) => record.transport);
    const outcome: E2EOutcome = {
      codex,
      run,
      upstream,
      workspace,
      bodies: upstream.requests.map((request) => request.body),
      transcript,
      transports: ledger,
    };
    for (const each of runs) expect(each.timedOut, transcript).toBe(false);
    if (scenario.expectFailure) expect(run.exitCode, transcript).not.toBe(0);
    else for (const each of runs) expect(each.exitCode, transcript).toBe(0);
    if (scenario.followUpPrompt !== undefined) expect(runs, transcript).toHaveLength(2);
    expect(upstream.rejections, `the upstream refused a request\n${transcript}`).toEqual([]);
    // The usage ledger saw every turn as Codex's, with the tokens the upstream reported.
    const usage = (await (await fetch(`${relay.url}/v1/usage?group_by=client`)).json()) as {
      totals: Record<string, number>;
      groups: Array<{ key: string }>;
    };
    expect(
      usage.groups.map((group) => group.key),
      transcript,
    ).toEqual(['codex']);
    if (!scenario.expectFailure) expect(usage.totals.completed, transcript).toBeGreaterThan(0);
    // Every turn went over the transport under test: over the WebSocket, no fallback to HTTP.
    const transports = new Set(ledger.filter((each) => !(scenario.compactsOverHttp && each === 'json')));
    if (transport === 'websocket') {
      expect(runs.map((each) => each.stdout + each.stderr).join('\n'), transcript).not.toMatch(WEBSOCKET_FALLBACK);
      expect([...transports], transcript).toEqual(['websocket']);
      const messages = logs!.records().map((record) => record.msg as string);
      expect(messages, `Codex prewarmed and then sent only the new items\n${transcript}`).toEqual(
        expect.arrayContaining([PREWARM_ANSWERED, CHAIN_CONTINUED]),
      );
    } else {
      expect(transports.has('websocket'), transcript).toBe(false);
      if (scenario.continuesOverHttp) {
        // The second turn goes on from the first (read whole, then kept with its objects); each later one continues it.
        const extended = logs!.records().filter((record) => record.msg === INPUT_EXTENDS_KEPT);
        expect(extended.length, `the second turn extended the first\n${transcript}`).toBe(1);
        const continued = logs!.records().filter((record) => record.msg === INPUT_CONTINUED);
        expect(continued.length, `later turns continued the kept request\n${transcript}`).toBe(
          upstream.requests.length - 2,
        );
        expect(
          continued.every((record) => record.reusedItems > 0),
          transcript,
        ).toBe(true);
      }
    }
    scenario.verify(outcome);
  } finally {
    workspace?.remove();
    await relay?.close();
    await upstream.close();
  }
}
