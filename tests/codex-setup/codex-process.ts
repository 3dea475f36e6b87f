/**
 * Runs the real Codex CLI (the releases pinned in package.json) in a clean
 * environment: its own HOME and CODEX_HOME, no stdin, killed with everything
 * it started when it overruns.
 */
import { runDetached, type DetachedRun } from '../support/detached-process.js';
import { pinnedCodexVersions, type PinnedCodex } from '../support/codex/versions.js';

/** The Codex releases installed for tests (npm aliases in package.json devDependencies). */
export const CODEX_RELEASES: readonly PinnedCodex[] = pinnedCodexVersions();

/** Runs `codex <args>` and resolves when it exits. */
export function runCodex(codex: PinnedCodex, args: string[], environment: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<DetachedRun> {
  return runDetached([codex.entry, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash', LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1', ...environment },
    timeoutMs,
  });
}
