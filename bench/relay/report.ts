/**
 * Turns the relay benchmark's measurements into figures (ratios within one
 * run), the goals check, the Markdown tables of docs/benchmarks.md and the
 * SVG chart.
 */
import { median, round } from '../support/stats.js';
import { type Bar, renderBarChart } from '../support/svg.js';
import type { PathName } from './client.js';
import type { ColdStartFigures, SequentialFigures, ThroughputRound } from './phases.js';
import type { RequestFigures, TranslatorFigures } from './translator-bench.js';
import type { StreamVariant } from './workload.js';

export interface ThroughputSummary {
  /** Median over rounds. */
  streamsPerSecond: Record<PathName, number>;
  /** Medians of the per-round ratios (each round measures every path back to back). */
  ratios: { relayToDirect: number; relayToPipe: number; pipeToDirect: number };
  /** CPU ms per stream of each process while its path was measured. */
  cpuMsPerStream: {
    relay: number;
    pipe: number;
    mockUnderRelay: number;
    clientUnderRelay: number;
    clientUnderDirect: number;
  };
  /** End-of-stream p50 under load, ms (median over rounds). */
  endP50Ms: Record<PathName, number>;
}

export interface VariantResults {
  sequential: SequentialFigures;
  throughput: ThroughputSummary;
  rounds: ThroughputRound[];
}

export interface RelayResults {
  parameters: Record<string, unknown> & {
    chunks: number;
    concurrency: number;
    iterations: number;
    seconds: number;
    rounds: number;
    requestBytes: number;
    toolsEchoBytes: number;
    eventsPerWrite: number;
    relayCli?: string | undefined;
  };
  variants: Partial<Record<StreamVariant, VariantResults>>;
  /** Text streams on the relay fresh from start (after only the sequential warm-up), before the steady state. */
  freshSequential?: SequentialFigures;
  memory: {
    relayRssAtStartMb: number;
    relayRssAfterWarmupMb: number;
    relayPeakRssMb: number;
    relayRssAfterLoadMb: number;
    pipePeakRssMb: number;
    mockPeakRssMb: number;
  };
  coldStart: ColdStartFigures;
  translator: { request: RequestFigures; streams: TranslatorFigures[] };
}

function cpuPerStream(rounds: readonly ThroughputRound[], path: PathName, process: string): number {
  const mine = rounds.filter((entry) => entry.path === path);
  const streams = mine.reduce((total, entry) => total + entry.streams, 0);
  return mine.reduce((total, entry) => total + (entry.cpuMs[process] ?? 0), 0) / streams;
}

/** Reduces the rounds of one variant to medians and per-round ratios. */
export function summarizeVariant(sequential: SequentialFigures, rounds: ThroughputRound[]): VariantResults {
  const byRound: Array<Partial<Record<PathName, ThroughputRound>>> = [];
  const paths: PathName[] = ['direct', 'pipe', 'relay'];
  for (let index = 0; index < rounds.length; index++) {
    const round = Math.floor(index / paths.length);
    const figures = byRound[round] ?? {};
    figures[rounds[index]!.path] = rounds[index]!;
    byRound[round] = figures;
  }
  const rate = (round: Partial<Record<PathName, ThroughputRound>>, path: PathName) => round[path]!.streamsPerSecond;
  const mediansOf = (pick: (entry: ThroughputRound) => number) =>
    Object.fromEntries(
      paths.map((path) => [path, median(rounds.filter((entry) => entry.path === path).map(pick))]),
    ) as Record<PathName, number>;
  return {
    sequential,
    rounds,
    throughput: {
      streamsPerSecond: mediansOf((entry) => entry.streamsPerSecond),
      ratios: {
        relayToDirect: median(byRound.map((round) => rate(round, 'relay') / rate(round, 'direct'))),
        relayToPipe: median(byRound.map((round) => rate(round, 'relay') / rate(round, 'pipe'))),
        pipeToDirect: median(byRound.map((round) => rate(round, 'pipe') / rate(round, 'direct'))),
      },
      cpuMsPerStream: {
        relay: cpuPerStream(rounds, 'relay', 'relay'),
        pipe: cpuPerStream(rounds, 'pipe', 'pipe'),
        mockUnderRelay: cpuPerStream(rounds, 'relay', 'mock'),
        clientUnderRelay: cpuPerStream(rounds, 'relay', 'client'),
        clientUnderDirect: cpuPerStream(rounds, 'direct', 'client'),
      },
      endP50Ms: mediansOf((entry) => entry.endMs.p50),
    },
  };
}

export interface GoalCheck {
  goal: string;
  target: string;
  measured: string;
  met: boolean;
}

/** The goals of the performance issue, checked against the text stream. */
export function checkGoals(results: RelayResults): GoalCheck[] {
  const text = results.variants.text;
  if (!text) return [];
  const added = text.sequential.added.relay.firstDeltaMs;
  // The rewriting pipe's figure beside it: the floor for a hop that must read and rewrite the request.
  const floor = text.sequential.added.rewrite?.firstDeltaMs;
  const withFloor = (value: number, floorValue: number | undefined) =>
    floorValue === undefined ? `${fixed(value)} ms` : `${fixed(value)} ms (rewriting pipe ${fixed(floorValue)} ms)`;
  const fresh = results.freshSequential;
  const freshChecks: GoalCheck[] = fresh
    ? [
        {
          goal: 'Added latency to first delta, p50, relay fresh from start',
          target: '≤ 1 ms',
          measured: withFloor(fresh.added.relay.firstDeltaMs.p50, fresh.added.rewrite?.firstDeltaMs.p50),
          met: fresh.added.relay.firstDeltaMs.p50 <= 1,
        },
        {
          goal: 'Added latency to first delta, p99, relay fresh from start',
          target: '≤ 4 ms',
          measured: withFloor(fresh.added.relay.firstDeltaMs.p99, fresh.added.rewrite?.firstDeltaMs.p99),
          met: fresh.added.relay.firstDeltaMs.p99 <= 4,
        },
      ]
    : [];
  return [
    {
      goal: 'Added latency to first delta, p50',
      target: '≤ 1 ms',
      measured: withFloor(added.p50, floor?.p50),
      met: added.p50 <= 1,
    },
    {
      goal: 'Added latency to first delta, p99',
      target: '≤ 4 ms',
      measured: withFloor(added.p99, floor?.p99),
      met: added.p99 <= 4,
    },
    ...freshChecks,
    {
      goal: `Throughput at ${results.parameters.concurrency} clients, relay ÷ byte pipe`,
      target: '≥ 0.5',
      measured: fixed(text.throughput.ratios.relayToPipe),
      met: text.throughput.ratios.relayToPipe >= 0.5,
    },
    {
      goal: 'Relay CPU per stream ÷ byte pipe CPU per stream',
      target: '≤ 3.5×',
      measured: `${fixed(text.throughput.cpuMsPerStream.relay)} ms ÷ ${fixed(text.throughput.cpuMsPerStream.pipe)} ms = ${ratio(text.throughput.cpuMsPerStream.relay / text.throughput.cpuMsPerStream.pipe)}`,
      met: text.throughput.cpuMsPerStream.relay / text.throughput.cpuMsPerStream.pipe <= 3.5,
    },
    {
      goal: 'Relay RSS, peak under load',
      target: '≤ 100 MB',
      measured: `${fixed(results.memory.relayPeakRssMb, 0)} MB`,
      met: results.memory.relayPeakRssMb <= 100,
    },
    {
      goal: 'Cold start to `listening on`, median',
      target: '≤ 300 ms',
      measured: `${fixed(results.coldStart.relayMs.p50, 0)} ms`,
      met: results.coldStart.relayMs.p50 <= 300,
    },
  ];
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function ratio(value: number): string {
  return `${fixed(value)}×`;
}

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const HOP_NAMES = { pipe: 'byte pipe', rewrite: 'rewriting pipe', relay: 'relay' } as const;

const VARIANT_NAMES: Record<StreamVariant, string> = {
  text: 'text',
  tool: 'tool-call arguments',
  reasoning: 'reasoning + text',
  'text-trickle': 'text, trickled',
};

/** One row per hop of a sequential phase: added latency to the first delta and to the end, against direct. */
function latencyRows(label: string, sequential: SequentialFigures): string[][] {
  return (['pipe', 'rewrite', 'relay'] as const).flatMap((hop) => {
    const added = sequential.added[hop];
    if (!added) return [];
    return [
      [
        label,
        HOP_NAMES[hop],
        fixed(added.firstDeltaMs.p50),
        fixed(added.firstDeltaMs.p90),
        fixed(added.firstDeltaMs.p99),
        fixed(added.endMs.p50),
        fixed(added.endMs.p90),
        fixed(added.endMs.p99),
      ],
    ];
  });
}

function variantEntries(results: RelayResults): Array<[StreamVariant, VariantResults]> {
  return Object.entries(results.variants) as Array<[StreamVariant, VariantResults]>;
}

/** The generated part of docs/benchmarks.md. */
export function renderRelayMarkdown(results: RelayResults): string {
  const { parameters } = results;
  const lines: string[] = [];
  lines.push(
    `Parameters: ${parameters.chunks} delta chunks per stream (plus finish, usage and \`[DONE]\`), the mock writing ${parameters.eventsPerWrite} SSE event(s) per socket write; ` +
      `a Codex-shaped request of ${fixed(parameters.requestBytes / 1024, 0)} KB whose \`tools\` echo is ${fixed(parameters.toolsEchoBytes / 1024, 0)} KB; ` +
      `${parameters.iterations} paired sequential iterations; ${parameters.concurrency} clients × ${parameters.seconds} s × ${parameters.rounds} round(s) per path.` +
      (parameters.relayCli
        ? ` Relay measured: \`${parameters.relayCli}\` (the translator-alone figures are from this checkout).`
        : ''),
    '',
    '#### Goals (text stream)',
    '',
    table(
      ['goal', 'target', 'measured', 'met'],
      checkGoals(results).map((check) => [check.goal, check.target, check.measured, check.met ? 'yes' : '**no**']),
    ),
    '',
    '#### Added latency, sequential (paired with the direct stream of the same iteration, ms)',
    '',
    table(
      ['stream', 'hop', 'first delta p50', 'p90', 'p99', 'end of stream p50', 'p90', 'p99'],
      [
        ...variantEntries(results).flatMap(([variant, figures]) =>
          latencyRows(VARIANT_NAMES[variant], figures.sequential),
        ),
        ...(results.freshSequential ? latencyRows('text, relay fresh from start', results.freshSequential) : []),
      ],
    ),
    '',
    `Direct (the floor), p50: ${variantEntries(results)
      .map(
        ([variant, figures]) =>
          `${VARIANT_NAMES[variant]} first delta ${fixed(figures.sequential.paths.direct.firstDeltaMs.p50)} ms, end ${fixed(figures.sequential.paths.direct.endMs.p50)} ms`,
      )
      .join('; ')}.`,
    '',
    `#### Throughput at ${parameters.concurrency} concurrent clients (streams/s, median of rounds; ratios are medians of per-round ratios)`,
    '',
    table(
      ['stream', 'direct', 'byte pipe', 'relay', 'relay ÷ direct', 'relay ÷ pipe', 'pipe ÷ direct'],
      variantEntries(results).map(([variant, { throughput }]) => [
        VARIANT_NAMES[variant],
        fixed(throughput.streamsPerSecond.direct, 0),
        fixed(throughput.streamsPerSecond.pipe, 0),
        fixed(throughput.streamsPerSecond.relay, 0),
        ratio(throughput.ratios.relayToDirect),
        ratio(throughput.ratios.relayToPipe),
        ratio(throughput.ratios.pipeToDirect),
      ]),
    ),
    '',
    `#### CPU per stream under load (ms, user + system from /proc, ${parameters.concurrency} clients)`,
    '',
    table(
      [
        'stream',
        'relay',
        'byte pipe',
        'relay ÷ pipe',
        'relay µs per chunk',
        'relay, sequential',
        'mock upstream',
        'client (relay path)',
        'client (direct path)',
      ],
      variantEntries(results).map(([variant, { throughput, sequential }]) => [
        VARIANT_NAMES[variant],
        fixed(throughput.cpuMsPerStream.relay),
        fixed(throughput.cpuMsPerStream.pipe),
        ratio(throughput.cpuMsPerStream.relay / throughput.cpuMsPerStream.pipe),
        fixed((throughput.cpuMsPerStream.relay * 1000) / parameters.chunks, 1),
        fixed(sequential.relayCpuMsPerStream),
        fixed(throughput.cpuMsPerStream.mockUnderRelay),
        fixed(throughput.cpuMsPerStream.clientUnderRelay),
        fixed(throughput.cpuMsPerStream.clientUnderDirect),
      ]),
    ),
    '',
    '#### Memory and start-up',
    '',
    table(
      ['relay RSS at start', 'after warm-up', 'peak under load', 'after load', 'byte pipe peak', 'mock upstream peak'],
      [
        [
          results.memory.relayRssAtStartMb,
          results.memory.relayRssAfterWarmupMb,
          results.memory.relayPeakRssMb,
          results.memory.relayRssAfterLoadMb,
          results.memory.pipePeakRssMb,
          results.memory.mockPeakRssMb,
        ].map((value) => `${fixed(value, 0)} MB`),
      ],
    ),
    '',
    table(
      [`cold start to \`listening on\` (${results.coldStart.runs} runs)`, 'p50', 'p90', 'max', 'CPU used, p50'],
      [
        ['relay CLI', results.coldStart.relayMs, results.coldStart.relayCpuMs] as const,
        [
          '`node -e` printing the line (floor)',
          results.coldStart.nodeBaselineMs,
          results.coldStart.nodeBaselineCpuMs,
        ] as const,
      ].map(([name, wall, cpu]) => [
        name,
        `${fixed(wall.p50, 0)} ms`,
        `${fixed(wall.p90, 0)} ms`,
        `${fixed(wall.max, 0)} ms`,
        `${fixed(cpu.p50, 0)} ms`,
      ]),
    ),
    '',
    '#### The translator alone (one process, no network)',
    '',
    table(
      ['stream', 'upstream chunks per read', 'chunks/s', 'µs per chunk', 'CPU ms per stream', 'SSE KB per stream'],
      results.translator.streams.map((figures) => [
        VARIANT_NAMES[figures.variant],
        String(figures.payloadsPerRead),
        fixed(figures.chunksPerSecond, 0),
        fixed(figures.microsecondsPerChunk),
        fixed(figures.cpuMsPerStream),
        fixed(figures.bytesPerStream / 1024, 0),
      ]),
    ),
    '',
    `Request translation (JSON.parse, validation, Chat request built and serialised) of the ${fixed(results.translator.request.requestBytes / 1024, 0)} KB request: ${fixed(results.translator.request.microsecondsPerRequest, 0)} µs.`,
    '',
    '![Relay benchmark chart](benchmarks-relay.svg)',
  );
  return lines.join('\n');
}

const COLORS: Record<PathName, string> = { direct: '#8c8c8c', pipe: '#4e79a7', relay: '#e15759' };

/** The chart linked from the document: throughput, added latency and CPU per stream. */
export function renderRelayChart(results: RelayResults): string {
  const entries = variantEntries(results);
  const throughputBars: Bar[] = entries.flatMap(([variant, { throughput }]) =>
    (['direct', 'pipe', 'relay'] as const).map((path) => ({
      label: `${VARIANT_NAMES[variant]} · ${path === 'pipe' ? 'byte pipe' : path}`,
      value: throughput.streamsPerSecond[path],
      color: COLORS[path],
    })),
  );
  const latencyBars: Bar[] = entries.flatMap(([variant, { sequential }]) =>
    (['pipe', 'relay'] as const).flatMap((hop) => [
      {
        label: `${VARIANT_NAMES[variant]} · ${hop === 'pipe' ? 'byte pipe' : hop} p50`,
        value: round(sequential.added[hop].firstDeltaMs.p50),
        color: COLORS[hop],
      },
      {
        label: `${VARIANT_NAMES[variant]} · ${hop === 'pipe' ? 'byte pipe' : hop} p99`,
        value: round(sequential.added[hop].firstDeltaMs.p99),
        color: COLORS[hop],
      },
    ]),
  );
  const cpuBars: Bar[] = entries.flatMap(([variant, { throughput }]) => [
    { label: `${VARIANT_NAMES[variant]} · byte pipe`, value: throughput.cpuMsPerStream.pipe, color: COLORS.pipe },
    { label: `${VARIANT_NAMES[variant]} · relay`, value: throughput.cpuMsPerStream.relay, color: COLORS.relay },
  ]);
  return renderBarChart(`Relay overhead, ${results.parameters.chunks}-chunk streams`, [
    {
      title: `Streams per second at ${results.parameters.concurrency} concurrent clients (higher is better)`,
      unit: '/s',
      bars: throughputBars,
    },
    {
      title: 'Added latency to the first delta vs direct, sequential (lower is better)',
      unit: 'ms',
      bars: latencyBars,
    },
    { title: 'CPU per stream of the hop under load (lower is better)', unit: 'ms', bars: cpuBars },
  ]);
}
