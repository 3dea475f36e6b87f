/**
 * The measurements of the relay benchmark, each over the same client and
 * the same upstream: paired sequential latency, throughput at N concurrent
 * clients with the CPU each process spent, and cold start.
 */
import { performance } from 'node:perf_hooks';
import { processCpuMs, type ServerProcess, spawnServer } from '../support/processes.js';
import { pairedDifferences, type Summary, summarize } from '../support/stats.js';
import { type PathName, type SequentialPathName, type StreamTarget, timeStream } from './client.js';

export const PATHS: readonly PathName[] = ['direct', 'pipe', 'relay'];

/** The paths measured; the rewriting pipe, when given, only in the sequential phase. */
export type Targets = Record<PathName, StreamTarget> & { rewrite?: StreamTarget };
/** The request body each path gets (Chat for direct and the pipes, Responses for the relay). */
export type Bodies = Record<PathName, Buffer>;

function sequentialPaths(targets: Targets): SequentialPathName[] {
  return targets.rewrite ? [...PATHS, 'rewrite'] : [...PATHS];
}

function targetOf(targets: Targets, path: SequentialPathName): StreamTarget {
  return path === 'rewrite' ? targets.rewrite! : targets[path];
}

/** The rewriting pipe is sent what the byte pipe is sent. */
function bodyOf(bodies: Bodies, path: SequentialPathName): Buffer {
  return path === 'rewrite' ? bodies.pipe : bodies[path];
}

/** Runs `count` streams per path, one at a time, in rotating order (warms up JIT and connection pools). */
export async function warmUp(targets: Targets, bodies: Bodies, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    for (const path of sequentialPaths(targets)) await timeStream(targetOf(targets, path), bodyOf(bodies, path));
  }
}

/**
 * Brings every path to its steady state before anything is measured: `seconds`
 * of `concurrency` clients per path, not recorded. A relay fresh from start is
 * measurably slower for its first thousand or so streams (docs/benchmarks.md,
 * step 17), which made whichever variant came first look worse than the rest.
 */
export async function warmUpUnderLoad(
  targets: Targets,
  bodies: Bodies,
  concurrency: number,
  seconds: number,
): Promise<void> {
  if (seconds <= 0) return;
  for (const path of PATHS) await measureThroughput(path, targets[path], bodies[path], concurrency, seconds, {});
}

export function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export interface LatencyFigures {
  firstDeltaMs: Summary;
  endMs: Summary;
}

export interface SequentialFigures {
  iterations: number;
  /** Absolute times per path. */
  paths: Record<PathName, LatencyFigures> & { rewrite?: LatencyFigures };
  /** Paired differences to the direct path, per iteration. */
  added: { pipe: LatencyFigures; relay: LatencyFigures; rewrite?: LatencyFigures };
  /** Relay CPU over the phase divided by its streams (nothing else runs through the relay meanwhile). */
  relayCpuMsPerStream: number;
}

/**
 * One stream per path per iteration, in an order that rotates each iteration,
 * so each relay sample has a direct sample taken moments before or after it.
 */
export async function measureSequential(
  targets: Targets,
  bodies: Bodies,
  iterations: number,
  relayPid: number,
): Promise<SequentialFigures> {
  const paths = sequentialPaths(targets);
  const samples = Object.fromEntries(
    paths.map((path) => [path, { first: [] as number[], end: [] as number[] }]),
  ) as Record<SequentialPathName, { first: number[]; end: number[] }>;
  const cpuBefore = processCpuMs(relayPid);
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (const path of rotated(paths, iteration)) {
      const timing = await timeStream(targetOf(targets, path), bodyOf(bodies, path));
      samples[path].first.push(timing.firstDeltaMs);
      samples[path].end.push(timing.endMs);
    }
  }
  const relayCpuMs = processCpuMs(relayPid) - cpuBefore;
  const figures = (path: SequentialPathName): LatencyFigures => ({
    firstDeltaMs: summarize(samples[path].first),
    endMs: summarize(samples[path].end),
  });
  const added = (path: SequentialPathName): LatencyFigures => ({
    firstDeltaMs: summarize(pairedDifferences(samples[path].first, samples.direct.first)),
    endMs: summarize(pairedDifferences(samples[path].end, samples.direct.end)),
  });
  return {
    iterations,
    paths: {
      direct: figures('direct'),
      pipe: figures('pipe'),
      relay: figures('relay'),
      ...(targets.rewrite ? { rewrite: figures('rewrite') } : {}),
    },
    added: {
      pipe: added('pipe'),
      relay: added('relay'),
      ...(targets.rewrite ? { rewrite: added('rewrite') } : {}),
    },
    relayCpuMsPerStream: relayCpuMs / iterations,
  };
}

export interface ThroughputRound {
  path: PathName;
  streams: number;
  seconds: number;
  streamsPerSecond: number;
  /** End-of-stream latency under this load. */
  endMs: Summary;
  /** CPU milliseconds each process spent during the round. */
  cpuMs: Record<string, number>;
}

/** `concurrency` clients, each starting its next stream as soon as the last one ended, for `seconds`. */
export async function measureThroughput(
  path: PathName,
  target: StreamTarget,
  body: Buffer,
  concurrency: number,
  seconds: number,
  processes: Record<string, number>,
): Promise<ThroughputRound> {
  const cpuBefore = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, processCpuMs(pid)]));
  const clientBefore = process.cpuUsage();
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1000;
  const ends: number[] = [];
  const client = async () => {
    while (performance.now() < deadline) ends.push((await timeStream(target, body)).endMs);
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const clientUsage = process.cpuUsage(clientBefore);
  const cpuMs: Record<string, number> = { client: (clientUsage.user + clientUsage.system) / 1000 };
  for (const [name, pid] of Object.entries(processes)) cpuMs[name] = processCpuMs(pid) - cpuBefore[name]!;
  return {
    path,
    streams: ends.length,
    seconds: elapsedSeconds,
    streamsPerSecond: ends.length / elapsedSeconds,
    endMs: summarize(ends),
    cpuMs,
  };
}

/** `rounds` throughput rounds per path, the path order rotating between rounds. */
export async function measureThroughputRounds(
  targets: Targets,
  bodies: Bodies,
  options: { concurrency: number; seconds: number; rounds: number },
  processes: Record<string, number>,
): Promise<ThroughputRound[]> {
  const results: ThroughputRound[] = [];
  for (let round = 0; round < options.rounds; round++) {
    for (const path of rotated(PATHS, round)) {
      results.push(
        await measureThroughput(path, targets[path], bodies[path], options.concurrency, options.seconds, processes),
      );
    }
  }
  return results;
}

export interface ColdStartFigures {
  runs: number;
  /** Spawn to the `listening on` line of the relay CLI. */
  relayMs: Summary;
  /** CPU time the relay had used by then. */
  relayCpuMs: Summary;
  /** The same for a Node process that prints the line at once: the floor no program can beat. */
  nodeBaselineMs: Summary;
  nodeBaselineCpuMs: Summary;
}

/** Starts the relay CLI `runs` times and times each start to `listening on`. */
export async function measureColdStart(
  cliPath: string,
  upstreamUrl: string,
  storePath: string,
  runs: number,
  stderrPath: string,
): Promise<ColdStartFigures> {
  const relay: ServerProcess[] = [];
  const baseline: ServerProcess[] = [];
  for (let run = 0; run < runs; run++) {
    const started = await spawnServer({
      name: 'relay (cold start)',
      args: [cliPath, '--port', '0', '--upstream', upstreamUrl, '--store-path', storePath, '--log-level', 'warn'],
      stderrPath,
    });
    relay.push(started);
    await started.stop();
    const floor = await spawnServer({
      name: 'node baseline',
      args: ['-e', "process.stdout.write('listening on http://127.0.0.1:0\\n'); setInterval(() => {}, 1000);"],
      stderrPath,
    });
    baseline.push(floor);
    await floor.stop();
  }
  return {
    runs,
    relayMs: summarize(relay.map((started) => started.startupMs)),
    relayCpuMs: summarize(relay.map((started) => started.startupCpuMs)),
    nodeBaselineMs: summarize(baseline.map((started) => started.startupMs)),
    nodeBaselineCpuMs: summarize(baseline.map((started) => started.startupCpuMs)),
  };
}
