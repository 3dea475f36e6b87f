/** Runs the built CLI (`node dist/cli/main.js`) as a child process, the way users start the relay. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const CLI_PATH = resolve(process.cwd(), 'dist/cli/main.js');

export interface ChildRelay {
  url: string;
  process: ChildProcess;
  stderr: () => string;
  /** Resolves with the exit code and signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

function assertBuilt(): void {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run \`npm run build\` first (npm test does)`);
}

function launch(args: string[], environment: NodeJS.ProcessEnv) {
  assertBuilt();
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Starts the relay and waits for its `listening on` line. */
export async function startChildRelay(args: string[], environment: NodeJS.ProcessEnv = {}): Promise<ChildRelay> {
  const launched = launch(['--port', '0', '--log-level', 'warn', ...args], environment);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(launched.stdout());
      if (match) resolveUrl(match[1]!);
    };
    launched.child.stdout!.on('data', check);
    void launched.exited.then(({ code, signal }) =>
      reject(new Error(`relay exited (${code ?? signal}) before listening: ${launched.stderr()}`)),
    );
  });
  return { url, process: launched.child, stderr: launched.stderr, exited: launched.exited };
}

/** Runs the CLI to completion (for start-up errors). */
export async function runCli(
  args: string[],
  environment: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const launched = launch(args, environment);
  const { code } = await launched.exited;
  return { code, stdout: launched.stdout(), stderr: launched.stderr() };
}

/** Kills every child still running (afterEach). */
export function killChildren(): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
