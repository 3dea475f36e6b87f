/**
 * Runs `codex exec` once, unattended: no git repository needed, no approval
 * prompts, no sandbox (the workspace is a temporary directory), no stdin. The
 * process gets a clean environment so the user's own Codex setup never leaks
 * in, and is killed (with everything it started) when it overruns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDetached } from '../detached-process.js';
import type { PinnedCodex } from './versions.js';
import { CODEX_KEY_VARIABLE, type CodexWorkspace } from './workspace.js';

export interface CodexRunOptions {
  codex: PinnedCodex;
  workspace: CodexWorkspace;
  prompt: string;
  /** Extra `codex exec` arguments, e.g. `['--output-schema', path]`. */
  args?: string[];
  /** Continue the most recent session of this CODEX_HOME (`codex exec resume --last`). */
  resumeLast?: boolean;
  /** The key Codex sends as `Authorization: Bearer`. */
  apiKey?: string;
  timeoutMs?: number;
}

export interface CodexRunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The final agent message (`--output-last-message`), or undefined when none was written. */
  lastMessage: string | undefined;
}

/** No git repository needed, no approval prompts, no sandbox: accepted by `exec` and `exec resume`. */
const SESSION_FLAGS = ['--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox'];

/** The flags that make `codex exec` run without a person or a git repository. */
export const UNATTENDED_FLAGS = [...SESSION_FLAGS, '--color', 'never'];

/** Runs Codex and resolves when it exits (or was killed after `timeoutMs`). */
export function runCodexExec(options: CodexRunOptions): Promise<CodexRunResult> {
  const { workspace } = options;
  const lastMessagePath = join(workspace.root, 'last-message.txt');
  // `resume` has no --cd or --color of its own: those stay on `exec`, the rest moves to the subcommand.
  const resume = options.resumeLast ? ['resume', '--last', ...SESSION_FLAGS] : [];
  const args = [
    options.codex.entry,
    'exec',
    ...UNATTENDED_FLAGS,
    '--cd',
    workspace.project,
    ...resume,
    '--output-last-message',
    lastMessagePath,
    ...(options.args ?? []),
    '--',
    options.prompt,
  ];
  const environment: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: workspace.home,
    CODEX_HOME: workspace.codexHome,
    [CODEX_KEY_VARIABLE]: options.apiKey ?? 'sk-relay-e2e',
    SHELL: '/bin/bash',
    TZ: 'UTC',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    NO_COLOR: '1',
  };
  return runDetached(args, { cwd: workspace.project, env: environment, timeoutMs: options.timeoutMs ?? 60_000 }).then(
    (run) => {
      let lastMessage: string | undefined;
      try {
        lastMessage = readFileSync(lastMessagePath, 'utf8');
      } catch {
        lastMessage = undefined;
      }
      return { ...run, lastMessage };
    },
  );
}

/** Codex's output in one block, for assertion messages. */
export function describeRun(result: CodexRunResult): string {
  return `exit ${result.exitCode ?? result.signal}${result.timedOut ? ' (timed out)' : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}
