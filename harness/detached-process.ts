/**
 * Runs a Node program as the leader of its own process group, collects its
 * output and, when it overruns or ends, kills the whole group: Codex can leave
 * shells and MCP servers behind.
 */
import { spawn } from 'node:child_process';

export interface DetachedRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface DetachedRunOptions {
  /** The program; `node` (this process's) unless given. */
  command?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Runs `node <args>` (or `command <args>`) without stdin and resolves when it exits (or was killed after `timeoutMs`). */
export function runDetached(args: string[], options: DetachedRunOptions): Promise<DetachedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command ?? process.execPath, args, {
      cwd: options.cwd,
      env: options.env,
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
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      killGroup(child.pid);
      resolve({ exitCode, signal, timedOut, stdout, stderr });
    });
  });
}

/** Kills the process group led by `pid` (the child was spawned detached, so it leads one). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
