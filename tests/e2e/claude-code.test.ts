/**
 * The real Claude Code CLI end to end: `claude -p` → the relay's
 * /v1/messages → a strict Chat Completions upstream (the mock refuses what a
 * real provider refuses) → Anthropic events back to Claude Code, which runs
 * its Bash tool for real.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { CLAUDE_CODE_VERSION, ensureClaudeCode } from '../support/claude-code/install-claude-code.js';
import { type ClaudeCodeRun, runClaudeCode } from '../support/claude-code/run-claude-code.js';
import type { RecordedRequest } from '../support/mock-upstream.js';
import { startTestRelay } from '../support/relay.js';
import { chatAnswer, type ScriptedUpstream, startScriptedUpstream } from '../support/scripted-upstream.js';

const RUN_TIMEOUT_MS = 120_000;
const MODEL = 'relay-model';

let binary = '';
let upstream: ScriptedUpstream | undefined;
let relay: RunningRelay | undefined;

beforeAll(() => {
  binary = ensureClaudeCode();
}, 10 * 60_000);

afterEach(async () => {
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

/** The conversation's own requests (Claude Code may also ask side questions without tools). */
function conversationRequests(server: ScriptedUpstream): RecordedRequest[] {
  return server.requests.filter(
    (request) =>
      Array.isArray(request.body?.tools) &&
      request.body.tools.some((tool: { function?: { name?: string } }) => tool.function?.name === 'Bash'),
  );
}

function toolResults(request: RecordedRequest): string[] {
  return (request.body.messages as Array<{ role: string; content: unknown }>)
    .filter((message) => message.role === 'tool')
    .map((message) => String(message.content));
}

function describeRun(run: ClaudeCodeRun): string {
  return `exit ${run.exitCode}${run.timedOut ? ' (timed out)' : ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr.slice(-4000)}`;
}

/** Side requests (no tools) get a short plain answer. */
const sideAnswer = () => chatAnswer({ text: 'ok' });

describe(`Claude Code ${CLAUDE_CODE_VERSION} through the relay`, () => {
  it(
    'a plain answer',
    async () => {
      upstream = await startScriptedUpstream((request) =>
        request.body.tools ? chatAnswer({ text: 'pong' }) : sideAnswer(),
      );
      relay = await startTestRelay(upstream.baseUrl);
      const run = await runClaudeCode({
        binary,
        relayUrl: relay.url,
        prompt: 'Say pong',
        model: MODEL,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      expect(run.exitCode, describeRun(run)).toBe(0);
      expect(run.stdout.trim()).toBe('pong');
      expect(upstream.rejections).toEqual([]);
      const [first] = conversationRequests(upstream);
      expect(first!.body.model).toBe(MODEL);
      expect(first!.body.messages[0].role).toBe('system');
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it(
    'a Bash tool round trip',
    async () => {
      upstream = await startScriptedUpstream((request) => {
        if (!request.body.tools) return sideAnswer();
        const results = toolResults(request);
        if (results.length === 0)
          return chatAnswer({
            toolCalls: [
              {
                id: 'call_bash_1',
                name: 'Bash',
                argumentPieces: ['{"command":"echo relay-', 'ok","description":"Print a marker"}'],
              },
            ],
          });
        return chatAnswer({ text: `The command printed ${results[0]!.trim()}.` });
      });
      relay = await startTestRelay(upstream.baseUrl);
      const run = await runClaudeCode({
        binary,
        relayUrl: relay.url,
        prompt: 'Run echo relay-ok and tell me what it printed',
        model: MODEL,
        timeoutMs: RUN_TIMEOUT_MS,
      });
      expect(run.exitCode, describeRun(run)).toBe(0);
      expect(upstream.rejections).toEqual([]);
      const requests = conversationRequests(upstream);
      expect(requests).toHaveLength(2);
      // Claude Code really ran the command: its output came back as the tool result.
      expect(toolResults(requests[1]!)[0]).toContain('relay-ok');
      expect(run.stdout).toContain('The command printed relay-ok.');
    },
    RUN_TIMEOUT_MS + 30_000,
  );

  it(
    'a thinking model with tools across three steps keeps every reasoning_content (DeepSeek refuses one missing)',
    async () => {
      const reasoning = ['First I list the marker file.', 'Now I count its lines.', 'Both done; report.'];
      upstream = await startScriptedUpstream(
        (request) => {
          if (!request.body.tools) return chatAnswer({ text: 'ok', style: 'deepseek' });
          const step = toolResults(request).length;
          if (step === 0)
            return chatAnswer({
              reasoning: reasoning[0],
              style: 'deepseek',
              toolCalls: [{ id: 'call_s1', name: 'Bash', argumentPieces: ['{"command":"echo step-one"}'] }],
            });
          if (step === 1)
            return chatAnswer({
              reasoning: reasoning[1],
              style: 'deepseek',
              toolCalls: [{ id: 'call_s2', name: 'Bash', argumentPieces: ['{"command":"echo step-two"}'] }],
            });
          return chatAnswer({ reasoning: reasoning[2], text: 'Finished both steps.', style: 'deepseek' });
        },
        { thinking: 'deepseek' },
      );
      relay = await startTestRelay(upstream.baseUrl, { profile: deepseekProvider });
      const run = await runClaudeCode({
        binary,
        relayUrl: relay.url,
        prompt: 'Run echo step-one, then echo step-two, then say you finished.',
        model: 'deepseek-v4-pro',
        timeoutMs: RUN_TIMEOUT_MS,
      });
      expect(run.exitCode, describeRun(run)).toBe(0);
      expect(upstream.rejections).toEqual([]);
      const requests = conversationRequests(upstream);
      expect(requests).toHaveLength(3);
      const echoed = (request: RecordedRequest) =>
        (request.body.messages as Array<{ role: string; reasoning_content?: string }>)
          .filter((message) => message.role === 'assistant')
          .map((message) => message.reasoning_content);
      // The reasoning itself came back byte for byte, not a placeholder.
      expect(echoed(requests[1]!)).toEqual([reasoning[0]]);
      expect(echoed(requests[2]!)).toEqual([reasoning[0], reasoning[1]]);
      expect(toolResults(requests[2]!).map((text) => text.trim())).toEqual(['step-one', 'step-two']);
      expect(run.stdout).toContain('Finished both steps.');
    },
    RUN_TIMEOUT_MS + 30_000,
  );
});
