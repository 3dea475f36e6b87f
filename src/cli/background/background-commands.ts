/**
 * `start`, `status`, `stop`, `restart` and `logs`: the relay as a background
 * process of the user. `start` runs `serve` detached with its output in the
 * log file, waits until it prints where it listens and records it in the PID
 * file; the other commands read that file. Each returns the exit code.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { RELAY_EXECUTABLE } from '../relay-executable.js';
import {
  type BackgroundFiles,
  type BackgroundRecord,
  claimRecord,
  isAlive,
  lastLogLines,
  removeRecord,
  replaceRecord,
  runningRelay,
} from './state-files.js';

/** Not running, as LSB init scripts report it. */
export const EXIT_NOT_RUNNING = 3;
/** The relay could not be started. */
export const EXIT_START_FAILED = 2;

const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 100;
const LOG_LINES_ON_FAILURE = 20;

export type Output = (text: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function staleNotice(out: Output) {
  return (record: BackgroundRecord) => out(`removed a stale PID file (process ${record.pid} is no longer the relay)\n`);
}

function describeRunning(record: BackgroundRecord, files: BackgroundFiles): string {
  return `url: ${record.url}\npid: ${record.pid}\nlog: ${record.log}\npid file: ${files.pidFile}\n`;
}

/** What `start` and `restart` are given. */
export interface StartRequest {
  /** The `serve` arguments. */
  serveArgs: string[];
  /** How long `stop` will wait after SIGTERM. */
  stopAfterMs: number;
  files: BackgroundFiles;
  environment: NodeJS.ProcessEnv;
  out: Output;
  /** Where a failure to start is reported. */
  problem: Output;
}

/** Starts `serve <serveArgs>` in the background and waits until it listens. */
export async function startInBackground(request: StartRequest): Promise<number> {
  const { serveArgs, stopAfterMs, files, environment, out, problem } = request;
  const running = await settledRelay(files, staleNotice(out));
  if (running) {
    out(`responses-relay is already running (restart applies new options)\n${describeRunning(running, files)}`);
    return 0;
  }
  const record: BackgroundRecord = {
    pid: process.pid,
    url: '',
    log: files.logFile,
    args: serveArgs,
    stopAfterMs,
    startedAt: new Date().toISOString(),
  };
  if (!claimRecord(files, record)) {
    // Another start got there first, between our check and our claim: its relay is the one.
    const other = await settledRelay(files);
    if (other) {
      out(`responses-relay is already running\n${describeRunning(other, files)}`);
      return 0;
    }
    if (!claimRecord(files, record)) throw new Error(`cannot create ${files.pidFile}`);
  }
  mkdirSync(files.directory, { recursive: true, mode: 0o700 });
  const logDescriptor = openSync(files.logFile, 'a', 0o600);
  const logOffset = statSync(files.logFile).size;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let child;
  try {
    child = spawn(process.execPath, [RELAY_EXECUTABLE, 'serve', ...serveArgs], {
      detached: true,
      stdio: ['ignore', logDescriptor, logDescriptor],
      env: environment,
    });
  } finally {
    closeSync(logDescriptor);
  }
  child.on('exit', (code, signal) => (exit = { code, signal }));
  child.on('error', () => (exit = { code: null, signal: null }));
  child.unref();
  if (child.pid === undefined) {
    removeRecord(files);
    problem(`responses-relay could not be started: ${process.execPath} did not run\n`);
    return EXIT_START_FAILED;
  }
  record.pid = child.pid;
  replaceRecord(files, record);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(lastLogLines(files.logFile, 200, logOffset))?.[1];
    if (url) {
      replaceRecord(files, { ...record, url });
      child.removeAllListeners();
      out(`responses-relay is running in the background\n${describeRunning({ ...record, url }, files)}`);
      return 0;
    }
    if (exit || Date.now() > deadline) break;
    await sleep(POLL_MS);
  }
  if (!exit) process.kill(child.pid, 'SIGKILL');
  removeRecord(files);
  const why = exit
    ? `it exited (${exit.signal ?? `code ${exit.code}`})`
    : `it did not listen within ${READY_TIMEOUT_MS / 1000} s`;
  problem(
    `responses-relay could not be started: ${why}. Last lines of ${files.logFile}:\n${lastLogLines(files.logFile, LOG_LINES_ON_FAILURE, logOffset)}\n`,
  );
  return EXIT_START_FAILED;
}

/** The running relay once a start in progress (a record without a URL yet) has finished or given up. */
async function settledRelay(
  files: BackgroundFiles,
  onStale?: (record: BackgroundRecord) => void,
): Promise<BackgroundRecord | undefined> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const record = runningRelay(files, onStale);
    if (!record || record.url || Date.now() > deadline) return record;
    await sleep(POLL_MS);
  }
}

/** Exit 0 with where it listens when running; EXIT_NOT_RUNNING otherwise. */
export function reportStatus(files: BackgroundFiles, out: Output): number {
  const running = runningRelay(files, staleNotice(out));
  if (!running) {
    out('responses-relay is not running\n');
    return EXIT_NOT_RUNNING;
  }
  out(
    running.url
      ? `responses-relay is running\n${describeRunning(running, files)}`
      : `responses-relay is starting (pid ${running.pid})\n`,
  );
  return 0;
}

/** SIGTERM (the relay finishes what is in flight), then SIGKILL once its shutdown grace is over. */
export async function stopBackground(files: BackgroundFiles, out: Output): Promise<number> {
  const running = runningRelay(files, staleNotice(out));
  if (!running) {
    out('responses-relay is not running\n');
    return 0;
  }
  signal(running.pid, 'SIGTERM');
  if (!(await exited(running.pid, running.stopAfterMs))) {
    out(
      `responses-relay (pid ${running.pid}) did not stop within ${Math.round(running.stopAfterMs / 1000)} s; killing it\n`,
    );
    signal(running.pid, 'SIGKILL');
    await exited(running.pid, 5_000);
  }
  removeRecord(files);
  out(`responses-relay stopped (pid ${running.pid})\n`);
  return 0;
}

/** Stops the running relay and starts it again, with new serve arguments or the ones it had. */
export async function restartBackground(request: StartRequest): Promise<number> {
  const previous = runningRelay(request.files, staleNotice(request.out));
  const reuse = request.serveArgs.length === 0 && previous !== undefined;
  await stopBackground(request.files, request.out);
  return startInBackground(
    reuse ? { ...request, serveArgs: previous.args, stopAfterMs: previous.stopAfterMs } : request,
  );
}

/** Prints the last lines of the log; with `follow`, keeps printing what is appended until interrupted. */
export async function showLogs(
  files: BackgroundFiles,
  lines: number,
  follow: boolean,
  out: Output,
  stop: AbortSignal = new AbortController().signal,
): Promise<number> {
  if (!existsSync(files.logFile)) {
    out(`no log yet (${files.logFile}); start the relay with: responses-relay start\n`);
    return 1;
  }
  const tail = lastLogLines(files.logFile, lines);
  if (tail) out(`${tail}\n`);
  if (!follow) return 0;
  let offset = statSync(files.logFile).size;
  while (!stop.aborted) {
    await sleep(200);
    const size = existsSync(files.logFile) ? statSync(files.logFile).size : 0;
    if (size < offset) offset = 0; // the log was replaced
    if (size === offset) continue;
    const descriptor = openSync(files.logFile, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(descriptor, buffer, 0, buffer.length, offset);
      out(buffer.toString('utf8'));
    } finally {
      closeSync(descriptor);
    }
    offset = size;
  }
  return 0;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function exited(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}
