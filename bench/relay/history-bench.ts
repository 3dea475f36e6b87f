/**
 * The history sweep: what a Codex turn costs as the conversation grows. Each
 * turn carries 0, 50, 200 or 800 earlier tool rounds (about 465 KB at 200);
 * the relay answers the same 500-chunk text stream every time, so what grows
 * is the request work: reading, validating and converting the history and
 * sending the Chat request on. Measured per size: added time to the first
 * delta against the direct path (paired, sequential), relay CPU per turn, and
 * the request stages in this process (decoding the body, JSON.parse,
 * validation and conversion, building the Chat request, serialising it and
 * encoding it to bytes).
 */
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { procAvailable, type ServerProcess, spawnServer } from '../support/processes.js';
import { round } from '../support/stats.js';
import type { BenchContext, BenchModule, BenchSection } from '../types.js';
import { createClientAgent, markersFor, type SequentialPathName, type StreamTarget } from './client.js';
import { historyRequest } from './history-workload.js';
import { type Bodies, measureSequential, type Targets, warmUp } from './phases.js';

const DEFAULT_ROUNDS = [0, 50, 200, 800];

interface StageFigures {
  decodeMs: number;
  jsonParseMs: number;
  parseAndValidateMs: number;
  buildChatMs: number;
  stringifyMs: number;
  encodeMs: number;
}

export interface HistoryPoint {
  rounds: number;
  requestKb: number;
  addedFirstDeltaP50Ms: number;
  addedFirstDeltaP99Ms: number;
  pipeAddedFirstDeltaP50Ms: number;
  /** The rewriting pipe (reads the Chat request whole, parses and serialises it again): the floor for a translating hop. */
  rewriteAddedFirstDeltaP50Ms: number;
  relayCpuMsPerTurn: number;
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
function measureStages(bytes: Buffer, runs: number): StageFigures {
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
  };
}

function bodiesFor(rounds: number, chunks: number): Bodies {
  const responsesRequest = historyRequest(rounds, { chunks, mcpTools: 4 });
  const { request, notes } = parseResponsesRequest(responsesRequest);
  const chat = Buffer.from(JSON.stringify(buildChatRequest(request, genericProvider, request.model, notes).body));
  return { direct: chat, pipe: chat, relay: Buffer.from(JSON.stringify(responsesRequest)) };
}

function target(path: SequentialPathName, baseUrl: string): StreamTarget {
  const endpoint = path === 'relay' ? 'v1/responses' : 'v1/chat/completions';
  return { path, url: new URL(`${baseUrl}/${endpoint}`), agent: createClientAgent(), ...markersFor(path) };
}

/** The goal for long histories over HTTP: a turn with a 465 KB history adds at most 5 ms to the first delta. */
const HISTORY_GOAL_MS = 5;
const HISTORY_GOAL_ROUNDS = 200;

function renderMarkdown(points: HistoryPoint[], iterations: number): string {
  const goalPoint = points.find((point) => point.rounds === HISTORY_GOAL_ROUNDS);
  const goal = goalPoint
    ? `Goal: a turn with ${HISTORY_GOAL_ROUNDS} earlier rounds (${goalPoint.requestKb} KB) adds ≤ ${HISTORY_GOAL_MS} ms to the first delta (p50): measured ${goalPoint.addedFirstDeltaP50Ms.toFixed(2)} ms, ${goalPoint.addedFirstDeltaP50Ms <= HISTORY_GOAL_MS ? 'met' : '**not met**'} (the rewriting pipe adds ${goalPoint.rewriteAddedFirstDeltaP50Ms.toFixed(2)} ms).`
    : `Goal (${HISTORY_GOAL_ROUNDS} earlier rounds, ≤ ${HISTORY_GOAL_MS} ms added to the first delta): not measured in this run.`;
  const lines = [
    `${iterations} paired sequential turns per size, 500-chunk text answer; stages are this process's wall time per request.`,
    '',
    goal,
    '',
    'The rewriting pipe reads the Chat request whole, parses and serialises it again, and sends that: the least a hop that rewrites requests can do.',
    '',
    '| earlier rounds | request | added first delta p50 / p99 | byte pipe added p50 | rewriting pipe added p50 | relay CPU per turn | decode body | JSON.parse | validate + convert | build Chat request | stringify | encode |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const point of points) {
    const { stages } = point;
    lines.push(
      `| ${point.rounds} | ${point.requestKb} KB | ${point.addedFirstDeltaP50Ms.toFixed(2)} / ${point.addedFirstDeltaP99Ms.toFixed(2)} ms | ${point.pipeAddedFirstDeltaP50Ms.toFixed(2)} ms | ${point.rewriteAddedFirstDeltaP50Ms.toFixed(2)} ms | ${point.relayCpuMsPerTurn.toFixed(1)} ms | ` +
        `${stages.decodeMs.toFixed(2)} ms | ${stages.jsonParseMs.toFixed(2)} ms | ${stages.parseAndValidateMs.toFixed(2)} ms | ${stages.buildChatMs.toFixed(2)} ms | ${stages.stringifyMs.toFixed(2)} ms | ${stages.encodeMs.toFixed(2)} ms |`,
    );
  }
  return lines.join('\n');
}

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
    const targets: Targets = {
      direct: target('direct', mock.url),
      pipe: target('pipe', pipe.url),
      relay: target('relay', relay.url),
      rewrite: target('rewrite', rewritingPipe.url),
    };
    const points: HistoryPoint[] = [];
    for (const rounds of roundsList) {
      const bodies = bodiesFor(rounds, chunks);
      await warmUp(targets, bodies, quick ? 3 : 10);
      const sequential = await measureSequential(targets, bodies, iterations, relay.pid);
      const point: HistoryPoint = {
        rounds,
        requestKb: Math.round(bodies.relay.length / 1024),
        addedFirstDeltaP50Ms: round(sequential.added.relay.firstDeltaMs.p50),
        addedFirstDeltaP99Ms: round(sequential.added.relay.firstDeltaMs.p99),
        pipeAddedFirstDeltaP50Ms: round(sequential.added.pipe.firstDeltaMs.p50),
        rewriteAddedFirstDeltaP50Ms: round(sequential.added.rewrite!.firstDeltaMs.p50),
        relayCpuMsPerTurn: round(sequential.relayCpuMsPerStream),
        stages: measureStages(bodies.relay, rounds >= 800 ? 10 : 30),
      };
      points.push(point);
      context.log(
        `${rounds} rounds (${point.requestKb} KB): added first delta p50 ${point.addedFirstDeltaP50Ms} ms, p99 ${point.addedFirstDeltaP99Ms} ms; relay CPU ${point.relayCpuMsPerTurn} ms per turn; stages ${JSON.stringify(point.stages)}`,
      );
    }
    return { results: { iterations, chunks, points }, markdown: renderMarkdown(points, iterations) };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

export const historyBench: BenchModule = {
  name: 'history',
  description:
    'Cost of a Codex turn as its history grows (0, 50, 200, 800 earlier tool rounds): added first delta, relay CPU per turn, request stages',
  options: {
    'history-rounds': { type: 'string' },
    'history-iterations': { type: 'string' },
    'relay-cli': { type: 'string' },
    'relay-node-args': { type: 'string' },
  },
  run,
};
