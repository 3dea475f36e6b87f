/**
 * Runs the real Codex CLI (the pinned releases, installed into the cache) in a clean
 * environment: its own HOME and CODEX_HOME, no stdin, killed with everything
 * it started when it overruns.
 */

import { codexMissingReason, type PinnedCodex, pinnedCodexVersions } from '../../harness/codex/versions.js';
import { type DetachedRun, runDetached } from '../../harness/detached-process.js';

/** The pinned Codex releases (harness/codex/releases.json). */
export const CODEX_RELEASES: readonly PinnedCodex[] = pinnedCodexVersions();

/** Runs `codex <args>` and resolves when it exits; fails with the reason when the release is not installed. */
export function runCodex(
  codex: PinnedCodex,
  args: string[],
  environment: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
): Promise<DetachedRun> {
  const missing = codexMissingReason(codex);
  if (missing) return Promise.reject(new Error(missing));
  return runDetached([codex.entry, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      SHELL: '/bin/bash',
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      NO_COLOR: '1',
      ...environment,
    },
    timeoutMs,
  });
}
