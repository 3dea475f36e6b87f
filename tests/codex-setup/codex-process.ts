/**
 * Runs the real Codex CLI (an npm devDependency) in a clean environment: its
 * own HOME and CODEX_HOME, no stdin, killed with everything it started when
 * it overruns.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Codex releases installed for tests (package.json devDependencies). */
export const CODEX_RELEASES = ['0128', '0150', '0169'] as const;
export type CodexRelease = (typeof CODEX_RELEASES)[number];

/** The entry script of an installed Codex release; fails clearly when it is missing. */
export function codexEntry(release: CodexRelease): string {
  const entry = fileURLToPath(new URL(`../../node_modules/codex-${release}/bin/codex.js`, import.meta.url));
  if (!existsSync(entry)) throw new Error(`Codex ${release} is not installed at ${entry}; it is a devDependency (codex-${release}) — run npm install`);
  return entry;
}

export interface CodexRun {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `codex <args>` and resolves when it exits. */
export function runCodex(release: CodexRelease, args: string[], environment: NodeJS.ProcessEnv, cwd: string, timeoutMs: number): Promise<CodexRun> {
  const entry = codexEntry(release);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash', LANG: 'C.UTF-8', TERM: 'dumb', NO_COLOR: '1', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode) => {
      clearTimeout(timer);
      killGroup(child.pid);
      resolve({ exitCode, timedOut, stdout, stderr });
    });
  });
}

/** Ends the process group the detached child leads (Codex may leave shells behind). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
