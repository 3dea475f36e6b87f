/**
 * Child processes for the benchmark (mock upstream, byte pipe, relay) and
 * what Linux reports about them in /proc: CPU time and resident memory, so
 * each figure belongs to exactly one process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The URL from the `listening on` line. */
  url: string;
  /** Milliseconds from spawn to the `listening on` line. */
  startupMs: number;
  /** CPU milliseconds the process had used when the line arrived (load on the machine does not change this much). */
  startupCpuMs: number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** File that receives the child's stderr (never a pipe: a full pipe would stall the child). */
  stderrPath: string;
  timeoutMs?: number;
}

const LISTENING = /listening on (http:\/\/\S+)/;

/** Every child still running; killed when the benchmark exits, however it exits. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `node …args` and resolves when it prints `listening on URL`. */
export function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const stderr = openSync(options.stderrPath, 'a');
  const startedAt = performance.now();
  const child = spawn(process.execPath, options.args, {
    stdio: ['ignore', 'pipe', stderr],
    env: options.env ?? process.env,
  });
  closeSync(stderr);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${options.name} did not print 'listening on' within ${options.timeoutMs ?? 10_000} ms (see ${options.stderrPath})`,
        ),
      );
    }, options.timeoutMs ?? 10_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with code ${code} before listening (see ${options.stderrPath})`));
    };
    child.once('exit', onExit);
    child.stdout!.setEncoding('utf8');
    const onData = (text: string) => {
      output += text;
      const match = LISTENING.exec(output);
      if (!match) return;
      const startupMs = performance.now() - startedAt;
      const startupCpuMs = processCpuMs(child.pid!);
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolve({
        name: options.name,
        child,
        pid: child.pid!,
        url: match[1]!,
        startupMs,
        startupCpuMs,
        stop: () => stopProcess(child),
      });
    };
    child.stdout!.on('data', onData);
  });
}

/** SIGTERM, then SIGKILL if the process has not exited within two seconds. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second (the unit of CPU times in /proc/PID/stat). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim(), 10) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU time the process has used so far, in milliseconds (all threads, live and exited). */
export function processCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/** CPU time (user + system) of a process's main thread alone, without the threads V8 and libuv run beside it. */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / ticksPerSecond();
}

export interface ProcessMemory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Highest resident set size since the process started (VmHWM), MB. */
  peakRssMb: number;
}

/** Resident memory of a process from /proc/PID/status. */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kilobytes('VmRSS') / 1024, peakRssMb: kilobytes('VmHWM') / 1024 };
}

/** Whether /proc is readable for our own process (Linux). */
export function procAvailable(): boolean {
  try {
    processCpuMs(process.pid);
    return true;
  } catch {
    return false;
  }
}
