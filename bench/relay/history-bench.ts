/**
 * The history sweep: what a Codex turn costs as the conversation grows. Each
 * turn carries 0, 50, 200 or 800 earlier tool rounds (about 465 KB at 200);
 * the relay answers the same 500-chunk text stream every time, so what grows
 * is the request work: reading, validating and converting the history and
 * sending the Chat request on. Three turns per size, each with a `session-id`
 * of its own conversation as Codex sends it: a cold turn (a conversation the
 * relay has not seen: its first turn, or the first after a restart), a
 * second one (the relay served the conversation's previous turn — the same
 * history without its last round and the user's message — just before: it is
 * read whole and kept) and a warm one (the relay served the two turns before:
 * what a Codex user meets every turn after that). The direct path and both pipes get the
 * same measured turn's Chat request. Measured per size and turn: added time
 * to the first delta against the direct path (paired, sequential), relay CPU
 * per turn, and the request stages in this process (decoding the body,
 * JSON.parse, validation and conversion, building the Chat request,
 * serialising it and encoding it to bytes; and the whole kept path of a warm
 * turn).
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { genericProvider } from '../../src/providers/generic.js';
import { RequestPrefixCache } from '../../src/server/request-prefix/request-prefix-cache.js';
import { chatRequestJson } from '../../src/translate/chat-request-json.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { procAvailable, processCpuMs, type ServerProcess, spawnServer } from '../support/processes.js';
import { pairedDifferences, round, summarize } from '../support/stats.js';
import type { BenchContext, BenchModule, BenchSection } from '../types.js';
import { createClientAgent, markersFor, type SequentialPathName, type StreamTarget, timeStream } from './client.js';
import { historyRequest, previousTurnRequest } from './history-workload.js';
import type { Targets } from './phases.js';

const DEFAULT_ROUNDS = [0, 50, 200, 800];

interface StageFigures {
  decodeMs: number;
  jsonParseMs: number;
  parseAndValidateMs: number;
  buildChatMs: number;
  stringifyMs: number;
  encodeMs: number;
  /** A warm turn in this process: its tail read and parsed, new items validated and translated, the Chat request's bytes. */
  keptPathMs: number;
}

/** One kind of turn (cold, second or warm) at one size. */
export interface TurnFigures {
  addedFirstDeltaP50Ms: number;
  addedFirstDeltaP99Ms: number;
  pipeAddedFirstDeltaP50Ms: number;
  /** The rewriting pipe (reads the Chat request whole, parses and serialises it again): the floor for a translating hop. */
  rewriteAddedFirstDeltaP50Ms: number;
  relayCpuMsPerTurn: number;
}

export interface HistoryPoint {
  rounds: number;
  requestKb: number;
  cold: TurnFigures;
  second: TurnFigures;
  warm: TurnFigures;
  stages: StageFigures;
}

/** Mean wall time of `body` over `runs` runs, after a short warm-up. */
function meanMs(runs: number, body: () => void): number {
  for (let warm = 0; warm < 3; warm++) body();
  const start = performance.now();
  for (let run = 0; run < runs; run++) body();
  return (performance.now() - start) / runs;
}

/** The relay's request stages, from the body's bytes to the upstream body's bytes (decoded and encoded as the relay does). */
function measureStages(bytes: Buffer, previous: readonly Buffer[], runs: number): StageFigures {
  const decoder = new TextDecoder();
  const text = decoder.decode(bytes);
  const body = JSON.parse(text) as Record<string, unknown>;
  const { request, notes } = parseResponsesRequest(body);
  const built = buildChatRequest(request, genericProvider, request.model, notes);
  const json = JSON.stringify(built.body);
  return {
    decodeMs: round(meanMs(runs, () => decoder.decode(bytes))),
    jsonParseMs: round(meanMs(runs, () => JSON.parse(text))),
    parseAndValidateMs: round(meanMs(runs, () => parseResponsesRequest(body))),
    buildChatMs: round(meanMs(runs, () => buildChatRequest(request, genericProvider, request.model, notes))),
    stringifyMs: round(meanMs(runs, () => JSON.stringify(built.body))),
    encodeMs: round(meanMs(runs, () => Buffer.from(json))),
    keptPathMs: round(keptPathMs(bytes, previous, runs)),
  };
}

/** One HTTP turn's request work as the route does it, through `cache`; returns the Chat request's bytes. */
function relayTurn(cache: RequestPrefixCache, bytes: Buffer, session: string): Buffer | string {
  const read = cache.read(bytes, session);
  const parsed = parseResponsesRequest(read.body, read.readings);
  const built = buildChatRequest(parsed.request, genericProvider, parsed.request.model, [...parsed.notes], {
    earlier: read.earlier,
  });
  read.keep(built.translation);
  const json = chatRequestJson(built.body);
  return typeof json === 'string' ? Buffer.from(json) : json;
}

/** Mean wall time of a warm turn's request work: each run's earlier turns are read first (not timed). */
function keptPathMs(bytes: Buffer, previous: readonly Buffer[], runs: number): number {
  const cache = new RequestPrefixCache({ maxBytes: 1024 * 1024 * 1024, defer: (task) => task() });
  let total = 0;
  for (let run = -3; run < runs; run++) {
    const session = `stage-${run}`;
    for (const earlier of previous) relayTurn(cache, earlier, session);
    const start = performance.now();
    relayTurn(cache, bytes, session);
    if (run >= 0) total += performance.now() - start;
  }
  return total / runs;
}

interface TurnBodies {
  /** The measured turn, for the relay. */
  relay: Buffer;
  /** Its Chat request, for the direct path and both pipes. */
  chat: Buffer;
  /** The conversation's previous turn (for the relay, before a second or warm turn). */
  previous: Buffer;
  /** The turn before that (for the relay, before a warm turn's previous one). */
  beforePrevious: Buffer;
}

function bodiesFor(rounds: number, chunks: number): TurnBodies {
  const responsesRequest = historyRequest(rounds, { chunks, mcpTools: 4 });
  const { request, notes } = parseResponsesRequest(responsesRequest);
  const chat = Buffer.from(JSON.stringify(buildChatRequest(request, genericProvider, request.model, notes).body));
  const previous = Buffer.from(JSON.stringify(previousTurnRequest(rounds, { chunks, mcpTools: 4 })));
  const beforePrevious = Buffer.from(JSON.stringify(previousTurnRequest(rounds, { chunks, mcpTools: 4 }, 2)));
  return { relay: Buffer.from(JSON.stringify(responsesRequest)), chat, previous, beforePrevious };
}

/** Paths in the order of iteration `by` (rotating, so none always goes first). */
function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

const PATH_ORDER: readonly SequentialPathName[] = ['direct', 'pipe', 'rewrite', 'relay'];

/**
 * `iterations` paired sequential turns, the relay's each in conversation
 * `session(iteration)`; before each batch, `prime` runs for the batch's
 * iterations, outside the relay CPU measured (a warm turn's previous turn).
 */
async function measureTurns(
  targets: Required<Targets>,
  bodies: TurnBodies,
  iterations: number,
  batch: number,
  relayPid: number,
  session: (iteration: number) => string,
  prime?: (iteration: number) => Promise<void>,
): Promise<TurnFigures> {
  const samples = Object.fromEntries(PATH_ORDER.map((path) => [path, [] as number[]])) as Record<
    SequentialPathName,
    number[]
  >;
  let relayCpuMs = 0;
  for (let start = 0; start < iterations; start += batch) {
    const end = Math.min(iterations, start + batch);
    if (prime) for (let iteration = start; iteration < end; iteration++) await prime(iteration);
    const cpuBefore = processCpuMs(relayPid);
    for (let iteration = start; iteration < end; iteration++) {
      for (const path of rotated(PATH_ORDER, iteration)) {
        const timing =
          path === 'relay'
            ? await timeStream(targets.relay, bodies.relay, { 'session-id': session(iteration) })
            : await timeStream(targets[path], bodies.chat);
        samples[path].push(timing.firstDeltaMs);
      }
    }
    relayCpuMs += processCpuMs(relayPid) - cpuBefore;
  }
  const added = (path: SequentialPathName) => summarize(pairedDifferences(samples[path], samples.direct));
  return {
    addedFirstDeltaP50Ms: round(added('relay').p50),
    addedFirstDeltaP99Ms: round(added('relay').p99),
    pipeAddedFirstDeltaP50Ms: round(added('pipe').p50),
    rewriteAddedFirstDeltaP50Ms: round(added('rewrite').p50),
    relayCpuMsPerTurn: round(relayCpuMs / iterations),
  };
}

function target(path: SequentialPathName, baseUrl: string): StreamTarget {
  const endpoint = path === 'relay' ? 'v1/responses' : 'v1/chat/completions';
  return { path, url: new URL(`${baseUrl}/${endpoint}`), agent: createClientAgent(), ...markersFor(path) };
}

/** The goal for long histories over HTTP: a turn with a 465 KB history adds at most 5 ms to the first delta. */
const HISTORY_GOAL_MS = 5;
const HISTORY_GOAL_ROUNDS = 200;

/** The history section of docs/benchmarks.md for a run's points. */
export function renderHistoryMarkdown(points: HistoryPoint[], iterations: number): string {
  const goalPoint = points.find((point) => point.rounds === HISTORY_GOAL_ROUNDS);
  const goal = goalPoint
    ? `Goal: a turn with ${HISTORY_GOAL_ROUNDS} earlier rounds (${goalPoint.requestKb} KB) adds ≤ ${HISTORY_GOAL_MS} ms to the first delta (p50, the warm turn a Codex user meets every turn): measured ${goalPoint.warm.addedFirstDeltaP50Ms.toFixed(2)} ms, ${goalPoint.warm.addedFirstDeltaP50Ms <= HISTORY_GOAL_MS ? 'met' : '**not met**'} (the rewriting pipe adds ${goalPoint.warm.rewriteAddedFirstDeltaP50Ms.toFixed(2)} ms; a cold turn ${goalPoint.cold.addedFirstDeltaP50Ms.toFixed(2)} ms, a second one ${goalPoint.second.addedFirstDeltaP50Ms.toFixed(2)} ms).`
    : `Goal (${HISTORY_GOAL_ROUNDS} earlier rounds, ≤ ${HISTORY_GOAL_MS} ms added to the first delta): not measured in this run.`;
  const lines = [
    `${iterations} paired sequential turns per size and kind, 500-chunk text answer; a cold turn is the first the relay sees of its conversation, a second one follows the conversation's previous turn (served just before, not measured; read whole and kept), a warm one the two turns before; stages are this process's wall time per request.`,
    '',
    goal,
    '',
    'The rewriting pipe reads the Chat request whole, parses and serialises it again, and sends that: the least a hop that rewrites requests can do.',
    '',
    '| earlier rounds | request | turn | added first delta p50 / p99 | byte pipe added p50 | rewriting pipe added p50 | relay CPU per turn |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const point of points) {
    for (const kind of ['cold', 'second', 'warm'] as const) {
      const turn = point[kind];
      lines.push(
        `| ${point.rounds} | ${point.requestKb} KB | ${kind} | ${turn.addedFirstDeltaP50Ms.toFixed(2)} / ${turn.addedFirstDeltaP99Ms.toFixed(2)} ms | ${turn.pipeAddedFirstDeltaP50Ms.toFixed(2)} ms | ${turn.rewriteAddedFirstDeltaP50Ms.toFixed(2)} ms | ${turn.relayCpuMsPerTurn.toFixed(1)} ms |`,
      );
    }
  }
  lines.push(
    '',
    "Request stages in this process (the whole path, then a warm turn's kept path as a whole):",
    '',
    '| earlier rounds | decode body | JSON.parse | validate + convert | build Chat request | stringify | encode | warm turn, kept path |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const { rounds, stages } of points) {
    lines.push(
      `| ${rounds} | ${stages.decodeMs.toFixed(2)} ms | ${stages.jsonParseMs.toFixed(2)} ms | ${stages.parseAndValidateMs.toFixed(2)} ms | ${stages.buildChatMs.toFixed(2)} ms | ${stages.stringifyMs.toFixed(2)} ms | ${stages.encodeMs.toFixed(2)} ms | ${stages.keptPathMs.toFixed(2)} ms |`,
    );
  }
  return lines.join('\n');
}

/** Conversations primed at once before their second or warm turns: their bodies stay well inside the relay's default cache. */
const PRIMED_BYTES = 5 * 1024 * 1024;

async function run(context: BenchContext): Promise<BenchSection> {
  if (!procAvailable()) throw new Error('the history benchmark reads CPU time from /proc and needs Linux');
  const { options, quick } = context;
  const roundsList =
    typeof options['history-rounds'] === 'string' ? options['history-rounds'].split(',').map(Number) : DEFAULT_ROUNDS;
  if (roundsList.some((rounds) => !Number.isInteger(rounds) || rounds < 0))
    throw new Error(`--history-rounds must be non-negative integers, got '${String(options['history-rounds'])}'`);
  const iterations =
    typeof options['history-iterations'] === 'string' ? Number(options['history-iterations']) : quick ? 10 : 40;
  const chunks = 500;
  const build = join(context.root, '.bench-build');
  const logDirectory = join(context.root, '.tmp', 'bench');
  const serveScript = join(build, 'bench', 'relay', 'serve.js');
  const servers: ServerProcess[] = [];
  try {
    const mock = await spawnServer({
      name: 'mock upstream',
      args: [serveScript, 'mock-upstream', '--chunks', String(chunks)],
      stderrPath: join(logDirectory, 'history-mock.log'),
    });
    servers.push(mock);
    const pipe = await spawnServer({
      name: 'byte pipe',
      args: [serveScript, 'byte-pipe', '--upstream', mock.url],
      stderrPath: join(logDirectory, 'history-pipe.log'),
    });
    servers.push(pipe);
    const rewritingPipe = await spawnServer({
      name: 'rewriting pipe',
      args: [serveScript, 'rewriting-pipe', '--upstream', mock.url],
      stderrPath: join(logDirectory, 'history-rewriting-pipe.log'),
    });
    servers.push(rewritingPipe);
    const relay = await spawnServer({
      name: 'relay',
      args: [
        ...(typeof options['relay-node-args'] === 'string'
          ? options['relay-node-args'].split(' ').filter((arg) => arg !== '')
          : []),
        typeof options['relay-cli'] === 'string'
          ? resolve(options['relay-cli'])
          : join(context.root, 'dist', 'cli', 'main.js'),
        '--port',
        '0',
        '--upstream',
        `${mock.url}/v1`,
        '--store-path',
        join(logDirectory, 'history-sessions.db'),
        '--max-body-mb',
        '64',
      ],
      stderrPath: join(logDirectory, 'history-relay.log'),
    });
    servers.push(relay);
    const targets: Required<Targets> = {
      direct: target('direct', mock.url),
      pipe: target('pipe', pipe.url),
      relay: target('relay', relay.url),
      rewrite: target('rewrite', rewritingPipe.url),
    };
    const points: HistoryPoint[] = [];
    // Session ids of this run only: no turn is measured against a conversation of an earlier one.
    const run = `${process.pid}-${Date.now()}`;
    for (const rounds of roundsList) {
      const bodies = bodiesFor(rounds, chunks);
      const warmUpTurns = quick ? 3 : 10;
      // Every kind of turn warmed up on every path (the second and warm ones after their earlier turns).
      for (let index = 0; index < warmUpTurns; index++) {
        const session = `warm-up-${run}-${rounds}-${index}`;
        await timeStream(targets.relay, bodies.beforePrevious, { 'session-id': session });
        await timeStream(targets.relay, bodies.previous, { 'session-id': session });
        await timeStream(targets.relay, bodies.relay, { 'session-id': session });
        await timeStream(targets.relay, bodies.previous, { 'session-id': `${session}-second` });
        await timeStream(targets.relay, bodies.relay, { 'session-id': `${session}-second` });
        await timeStream(targets.relay, bodies.relay, { 'session-id': `${session}-cold` });
        for (const path of ['direct', 'pipe', 'rewrite'] as const) await timeStream(targets[path], bodies.chat);
      }
      const batch = Math.max(1, Math.floor(PRIMED_BYTES / bodies.previous.length));
      const cold = await measureTurns(targets, bodies, iterations, iterations, relay.pid, (iteration) => {
        return `cold-${run}-${rounds}-${iteration}`;
      });
      const secondSession = (iteration: number) => `second-${run}-${rounds}-${iteration}`;
      const second = await measureTurns(
        targets,
        bodies,
        iterations,
        batch,
        relay.pid,
        secondSession,
        async (iteration) => {
          await timeStream(targets.relay, bodies.previous, { 'session-id': secondSession(iteration) });
        },
      );
      const warmSession = (iteration: number) => `warm-${run}-${rounds}-${iteration}`;
      const warm = await measureTurns(targets, bodies, iterations, batch, relay.pid, warmSession, async (iteration) => {
        await timeStream(targets.relay, bodies.beforePrevious, { 'session-id': warmSession(iteration) });
        await timeStream(targets.relay, bodies.previous, { 'session-id': warmSession(iteration) });
      });
      const point: HistoryPoint = {
        rounds,
        requestKb: Math.round(bodies.relay.length / 1024),
        cold,
        second,
        warm,
        stages: measureStages(bodies.relay, [bodies.beforePrevious, bodies.previous], rounds >= 800 ? 10 : 30),
      };
      points.push(point);
      context.log(
        `${rounds} rounds (${point.requestKb} KB): added first delta p50 cold ${cold.addedFirstDeltaP50Ms} ms, second ${second.addedFirstDeltaP50Ms} ms, warm ${warm.addedFirstDeltaP50Ms} ms (rewriting pipe ${warm.rewriteAddedFirstDeltaP50Ms} ms); relay CPU per turn cold ${cold.relayCpuMsPerTurn} ms, second ${second.relayCpuMsPerTurn} ms, warm ${warm.relayCpuMsPerTurn} ms; stages ${JSON.stringify(point.stages)}`,
      );
    }
    return { results: { iterations, chunks, points }, markdown: renderHistoryMarkdown(points, iterations) };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

export const historyBench: BenchModule = {
  name: 'history',
  description:
    'Cost of a Codex turn as its history grows (0, 50, 200, 800 earlier tool rounds), cold, second and warm: added first delta, relay CPU per turn, request stages',
  options: {
    'history-rounds': { type: 'string' },
    'history-iterations': { type: 'string' },
    'relay-cli': { type: 'string' },
    'relay-node-args': { type: 'string' },
  },
  run,
};
