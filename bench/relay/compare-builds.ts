/**
 * Builds of the relay against each other under one load: the throughput
 * phase alone (32 clients, the Codex-shaped text request, 500-chunk answers),
 * each build in a relay of its own against one shared mock upstream, the
 * builds alternated round after round. A change of a few percent is smaller
 * than what this machine's speed does from minute to minute, so each run's
 * relay CPU is read against the mock upstream's in the same run (the mock
 * does the same work per stream whatever the relay), and the relay's main
 * thread apart from the threads V8 collects garbage on. Not run unless asked:
 *
 *   npm run bench -- --only compare --builds base=/tmp/old/dist/cli/main.js,new=dist/cli/main.js
 *   npm run bench -- --only compare --builds default=dist/cli/main.js,g50=dist/cli/main.js \
 *     --build-node-args 'g50=--heap-growing-percent=50' --label heap
 */
import { join, resolve } from 'node:path';
import { numberOption } from '../support/options.js';
import { mainThreadCpuMs, procAvailable, processMemory, spawnServer } from '../support/processes.js';
import { summarize } from '../support/stats.js';
import type { BenchContext, BenchModule, BenchSection } from '../types.js';
import { createClientAgent, markersFor } from './client.js';
import { measureThroughput, rotated } from './phases.js';
import { codexLikeRequest } from './workload.js';

interface Build {
  name: string;
  cli: string;
  nodeArgs: string[];
}

export interface CompareRun {
  build: string;
  round: number;
  streamsPerSecond: number;
  relayCpuMsPerStream: number;
  relayMainThreadMsPerStream: number;
  mockCpuMsPerStream: number;
  mockMainThreadMsPerStream: number;
  relayPeakRssMb: number;
}

/** `name=path,…` into builds; `name=args;…` gives a build node arguments. */
export function parseBuilds(builds: string | undefined, nodeArgs: string | undefined, root: string): Build[] {
  const entries = (builds ?? `current=${join(root, 'dist', 'cli', 'main.js')}`)
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const argsByName = new Map(
    (nodeArgs ?? '')
      .split(';')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => {
        const at = entry.indexOf('=');
        if (at <= 0) throw new Error(`--build-node-args wants name=args;…, got '${entry}'`);
        return [
          entry.slice(0, at),
          entry
            .slice(at + 1)
            .split(' ')
            .filter((arg) => arg !== ''),
        ] as const;
      }),
  );
  const found = entries.map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new Error(`--builds wants name=path/to/cli/main.js,…, got '${entry}'`);
    const name = entry.slice(0, at);
    return { name, cli: resolve(root, entry.slice(at + 1)), nodeArgs: argsByName.get(name) ?? [] };
  });
  const names = new Set(found.map((build) => build.name));
  if (names.size !== found.length) throw new Error('--builds: each build needs a name of its own');
  for (const name of argsByName.keys())
    if (!names.has(name)) throw new Error(`--build-node-args names '${name}', which --builds does not`);
  return found;
}

/** Per build: medians and ranges over its runs. */
export function summarizeRuns(runs: readonly CompareRun[]) {
  const builds = [...new Set(runs.map((run) => run.build))];
  return builds.map((build) => {
    const own = runs.filter((run) => run.build === build);
    const of = (value: (run: CompareRun) => number) => summarize(own.map(value));
    return {
      build,
      runs: own.length,
      relayCpuToMock: of((run) => run.relayCpuMsPerStream / run.mockCpuMsPerStream),
      relayMainToMockMain: of((run) => run.relayMainThreadMsPerStream / run.mockMainThreadMsPerStream),
      streamsPerSecond: of((run) => run.streamsPerSecond),
      relayCpuMsPerStream: of((run) => run.relayCpuMsPerStream),
      relayPeakRssMb: of((run) => run.relayPeakRssMb),
    };
  });
}

export function renderCompareMarkdown(
  summary: ReturnType<typeof summarizeRuns>,
  parameters: { rounds: number; seconds: number; warmupSeconds: number; concurrency: number },
): string {
  const range = (figure: { p50: number; min: number; max: number }, digits = 2) =>
    `${figure.p50.toFixed(digits)} (${figure.min.toFixed(digits)}–${figure.max.toFixed(digits)})`;
  return [
    `${parameters.rounds} alternated run(s) per build: ${parameters.warmupSeconds} s of warm-up, then ${parameters.seconds} s at ${parameters.concurrency} clients; medians, with the range over the runs.`,
    '',
    '| build | relay CPU ÷ mock CPU | relay main thread ÷ mock main thread | streams/s | relay CPU per stream | relay peak RSS |',
    '|---|---|---|---|---|---|',
    ...summary.map(
      (row) =>
        `| ${row.build} | ${range(row.relayCpuToMock)} | ${range(row.relayMainToMockMain)} | ${range(row.streamsPerSecond, 0)} | ${row.relayCpuMsPerStream.p50.toFixed(2)} ms | ${row.relayPeakRssMb.p50.toFixed(0)} MB |`,
    ),
  ].join('\n');
}

async function run(context: BenchContext): Promise<BenchSection> {
  if (!procAvailable()) throw new Error('comparing builds reads CPU time and memory from /proc and needs Linux');
  const { options, root } = context;
  const builds = parseBuilds(
    typeof options.builds === 'string' ? options.builds : undefined,
    typeof options['build-node-args'] === 'string' ? options['build-node-args'] : undefined,
    root,
  );
  const parameters = {
    rounds: numberOption(context, 'rounds', 5, 2),
    seconds: numberOption(context, 'seconds', 6, 2),
    warmupSeconds: numberOption(context, 'warmup-seconds', 3, 1),
    concurrency: numberOption(context, 'concurrency', 32, 32),
  };
  const logDirectory = join(root, '.tmp', 'bench');
  const serveScript = join(root, '.bench-build', 'bench', 'relay', 'serve.js');
  const body = Buffer.from(JSON.stringify(codexLikeRequest('text', { chunks: 500, mcpTools: 4 })));
  const mock = await spawnServer({
    name: 'mock upstream',
    args: [serveScript, 'mock-upstream', '--chunks', '500', '--events-per-write', '1'],
    stderrPath: join(logDirectory, 'compare-mock-upstream.log'),
  });
  const runs: CompareRun[] = [];
  try {
    for (let round = 0; round < parameters.rounds; round++) {
      for (const build of rotated(builds, round)) {
        const relay = await spawnServer({
          name: `relay (${build.name})`,
          args: [
            ...build.nodeArgs,
            build.cli,
            '--port',
            '0',
            '--upstream',
            `${mock.url}/v1`,
            '--store-path',
            join(logDirectory, `compare-${build.name}.db`),
          ],
          stderrPath: join(logDirectory, `compare-${build.name}.log`),
        });
        try {
          const target = {
            path: 'relay' as const,
            url: new URL(`${relay.url}/v1/responses`),
            agent: createClientAgent(),
            ...markersFor('relay'),
          };
          await measureThroughput('relay', target, body, parameters.concurrency, parameters.warmupSeconds, {});
          const mainBefore = { relay: mainThreadCpuMs(relay.pid), mock: mainThreadCpuMs(mock.pid) };
          const measured = await measureThroughput('relay', target, body, parameters.concurrency, parameters.seconds, {
            relay: relay.pid,
            mock: mock.pid,
          });
          const streams = measured.streams;
          runs.push({
            build: build.name,
            round,
            streamsPerSecond: measured.streamsPerSecond,
            relayCpuMsPerStream: measured.cpuMs.relay! / streams,
            relayMainThreadMsPerStream: (mainThreadCpuMs(relay.pid) - mainBefore.relay) / streams,
            mockCpuMsPerStream: measured.cpuMs.mock! / streams,
            mockMainThreadMsPerStream: (mainThreadCpuMs(mock.pid) - mainBefore.mock) / streams,
            relayPeakRssMb: processMemory(relay.pid).peakRssMb,
          });
          const last = runs.at(-1)!;
          context.log(
            `round ${round + 1}, ${build.name}: ${last.streamsPerSecond.toFixed(0)} streams/s, relay CPU ÷ mock ${(last.relayCpuMsPerStream / last.mockCpuMsPerStream).toFixed(2)}, main threads ${(last.relayMainThreadMsPerStream / last.mockMainThreadMsPerStream).toFixed(2)}, peak RSS ${last.relayPeakRssMb.toFixed(0)} MB`,
          );
        } finally {
          await relay.stop();
        }
      }
    }
  } finally {
    await mock.stop();
  }
  const summary = summarizeRuns(runs);
  return {
    results: { parameters, builds, runs, summary },
    markdown: renderCompareMarkdown(summary, parameters),
  };
}

export const compareBench: BenchModule = {
  name: 'compare',
  description:
    'Builds of the relay against each other in the throughput phase, alternated, each read against the mock upstream (only with --only compare)',
  onlyWhenAsked: true,
  options: {
    builds: { type: 'string' },
    'build-node-args': { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'warmup-seconds': { type: 'string' },
    concurrency: { type: 'string' },
  },
  run,
};
