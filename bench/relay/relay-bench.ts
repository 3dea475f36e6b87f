/**
 * The relay overhead benchmark: the same client and the same mock upstream,
 * measured directly (the floor), through a byte pipe (what any HTTP hop
 * costs) and through the relay, which runs as its own process from the CLI
 * so its CPU time and memory can be read from /proc.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { numberOption } from '../support/options.js';
import { procAvailable, processMemory, type ServerProcess, spawnServer } from '../support/processes.js';
import type { BenchContext, BenchModule, BenchSection } from '../types.js';
import { createClientAgent, markersFor, readStream, type SequentialPathName, type StreamTarget } from './client.js';
import {
  type Bodies,
  measureColdStart,
  measureSequential,
  measureThroughputRounds,
  PATHS,
  type Targets,
  warmUp,
  warmUpUnderLoad,
} from './phases.js';
import { checkGoals, type RelayResults, renderRelayChart, renderRelayMarkdown, summarizeVariant } from './report.js';
import { measureRequestTranslation, measureStreamTranslation } from './translator-bench.js';
import { validateStream } from './validate.js';
import { codexLikeRequest, STREAM_VARIANTS, type StreamVariant } from './workload.js';

interface RelayParameters {
  chunks: number;
  iterations: number;
  warmup: number;
  /** Seconds of load per path and variant before measuring (steady state). */
  warmupSeconds: number;
  concurrency: number;
  seconds: number;
  rounds: number;
  variants: StreamVariant[];
  coldStarts: number;
  mcpTools: number;
  eventsPerWrite: number;
  translatorMs: number;
  relayLogLevel: string;
  relayNodeArgs: string[];
  /** The relay CLI measured; another build (e.g. of an older commit) can be compared under the same conditions. */
  relayCli: string | undefined;
}

function readParameters(context: BenchContext): RelayParameters {
  const { options } = context;
  const number = (name: string, normal: number, fast: number) => numberOption(context, name, normal, fast);
  const variants = String(options.variants ?? STREAM_VARIANTS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const variant of variants) {
    if (!(STREAM_VARIANTS as readonly string[]).includes(variant))
      throw new Error(`unknown variant '${variant}'; use ${STREAM_VARIANTS.join(', ')}`);
  }
  if (!variants.includes('text'))
    throw new Error('--variants must include text: the goals are stated for text streams');
  const nodeArgs =
    typeof options['relay-node-args'] === 'string'
      ? options['relay-node-args'].split(' ').filter((arg) => arg !== '')
      : [];
  return {
    chunks: number('chunks', 500, 500),
    iterations: number('iterations', 200, 40),
    warmup: number('warmup', 30, 10),
    warmupSeconds: number('warmup-seconds', 3, 1),
    concurrency: number('concurrency', 32, 32),
    seconds: number('seconds', 2, 1),
    rounds: number('rounds', 3, 1),
    variants: variants as StreamVariant[],
    coldStarts: number('cold-starts', 10, 3),
    mcpTools: number('mcp-tools', 4, 4),
    eventsPerWrite: number('events-per-write', 1, 1),
    translatorMs: number('translator-ms', 1000, 300),
    relayLogLevel: typeof options['relay-log-level'] === 'string' ? options['relay-log-level'] : 'info',
    relayNodeArgs: nodeArgs,
    relayCli: typeof options['relay-cli'] === 'string' ? options['relay-cli'] : undefined,
  };
}

function target(path: SequentialPathName, baseUrl: string): StreamTarget {
  const endpoint = path === 'relay' ? 'v1/responses' : 'v1/chat/completions';
  return { path, url: new URL(`${baseUrl}/${endpoint}`), agent: createClientAgent(), ...markersFor(path) };
}

/** The bodies each path gets for one variant: the relay the Codex-shaped request, the others the Chat request the relay builds from it. */
function bodiesFor(variant: StreamVariant, parameters: RelayParameters): Bodies {
  const responsesRequest = codexLikeRequest(variant, { chunks: parameters.chunks, mcpTools: parameters.mcpTools });
  const { request, notes } = parseResponsesRequest(responsesRequest);
  const chat = Buffer.from(JSON.stringify(buildChatRequest(request, genericProvider, request.model, notes).body));
  return { direct: chat, pipe: chat, relay: Buffer.from(JSON.stringify(responsesRequest)) };
}

async function run(context: BenchContext): Promise<BenchSection> {
  if (!procAvailable()) throw new Error('the relay benchmark reads CPU time and memory from /proc and needs Linux');
  const parameters = readParameters(context);
  const build = join(context.root, '.bench-build');
  const logDirectory = join(context.root, '.tmp', 'bench');
  mkdirSync(logDirectory, { recursive: true });
  const stderrPath = (name: string) => join(logDirectory, `${name}.log`);
  // The relay keeps its default SQLite store, but in a file of its own rather than the user's.
  const storePath = join(logDirectory, 'relay-sessions.db');
  const servers: ServerProcess[] = [];
  const stopAll = () => Promise.all(servers.map((server) => server.stop()));
  try {
    const serveScript = join(build, 'bench', 'relay', 'serve.js');
    const cliScript = parameters.relayCli ? resolve(parameters.relayCli) : join(context.root, 'dist', 'cli', 'main.js');
    const mock = await spawnServer({
      name: 'mock upstream',
      args: [
        serveScript,
        'mock-upstream',
        '--chunks',
        String(parameters.chunks),
        '--events-per-write',
        String(parameters.eventsPerWrite),
      ],
      stderrPath: stderrPath('mock-upstream'),
    });
    servers.push(mock);
    const pipe = await spawnServer({
      name: 'byte pipe',
      args: [serveScript, 'byte-pipe', '--upstream', mock.url],
      stderrPath: stderrPath('byte-pipe'),
    });
    servers.push(pipe);
    const rewritingPipe = await spawnServer({
      name: 'rewriting pipe',
      args: [serveScript, 'rewriting-pipe', '--upstream', mock.url],
      stderrPath: stderrPath('rewriting-pipe'),
    });
    servers.push(rewritingPipe);
    const relay = await spawnServer({
      name: 'relay',
      args: [
        ...parameters.relayNodeArgs,
        cliScript,
        '--port',
        '0',
        '--upstream',
        `${mock.url}/v1`,
        '--store-path',
        storePath,
        '--log-level',
        parameters.relayLogLevel,
      ],
      stderrPath: stderrPath('relay'),
    });
    servers.push(relay);
    const relayAtStart = processMemory(relay.pid);
    context.log(
      `relay pid ${relay.pid} at ${relay.url}; mock upstream at ${mock.url}; byte pipe at ${pipe.url} (logs in ${logDirectory})`,
    );

    const rewrite = target('rewrite', rewritingPipe.url);
    const targets: Targets = {
      direct: target('direct', mock.url),
      pipe: target('pipe', pipe.url),
      relay: target('relay', relay.url),
      rewrite,
    };
    const pids = { relay: relay.pid, pipe: pipe.pid, mock: mock.pid };
    const bodies = Object.fromEntries(
      parameters.variants.map((variant) => [variant, bodiesFor(variant, parameters)]),
    ) as Record<StreamVariant, Bodies>;

    for (const variant of parameters.variants) {
      for (const path of PATHS)
        validateStream(path, variant, parameters.chunks, await readStream(targets[path], bodies[variant][path]));
      validateStream('rewrite', variant, parameters.chunks, await readStream(rewrite, bodies[variant].pipe));
    }
    context.log('every path streams the complete, correct content');

    for (const variant of parameters.variants) await warmUp(targets, bodies[variant], parameters.warmup);
    // What a relay that has served only a few turns adds (a laptop's relay often is one), before the steady state.
    context.log(`text: ${parameters.iterations} paired sequential iterations on a relay fresh from start`);
    const freshSequential = await measureSequential(targets, bodies.text, parameters.iterations, relay.pid);
    context.log(
      `steady state: ${parameters.warmupSeconds} s at ${parameters.concurrency} clients per path and variant`,
    );
    for (const variant of parameters.variants)
      await warmUpUnderLoad(targets, bodies[variant], parameters.concurrency, parameters.warmupSeconds);
    const relayAfterWarmup = processMemory(relay.pid);

    const results: RelayResults['variants'] = {};
    for (const variant of parameters.variants) {
      context.log(`${variant}: ${parameters.iterations} paired sequential iterations`);
      const sequential = await measureSequential(targets, bodies[variant], parameters.iterations, relay.pid);
      context.log(
        `${variant}: ${parameters.rounds} × ${parameters.seconds} s at ${parameters.concurrency} clients per path`,
      );
      const rounds = await measureThroughputRounds(targets, bodies[variant], parameters, pids);
      results[variant] = summarizeVariant(sequential, rounds);
    }
    const relayAfterLoad = processMemory(relay.pid);
    const pipeMemory = processMemory(pipe.pid);
    const mockMemory = processMemory(mock.pid);
    await stopAll();
    servers.length = 0;

    context.log(`cold start: ${parameters.coldStarts} runs`);
    const coldMock = await spawnServer({
      name: 'mock upstream',
      args: [serveScript, 'mock-upstream', '--chunks', '1'],
      stderrPath: stderrPath('mock-upstream'),
    });
    servers.push(coldMock);
    const coldStart = await measureColdStart(
      cliScript,
      `${coldMock.url}/v1`,
      storePath,
      parameters.coldStarts,
      stderrPath('relay-cold-start'),
    );
    await stopAll();
    servers.length = 0;

    context.log('translator alone');
    const requestBody = bodies.text.relay.toString('utf8');
    const translator = {
      request: measureRequestTranslation(requestBody, parameters.translatorMs),
      streams: [
        ...(['text', 'tool', 'reasoning'] as const).map((variant) =>
          measureStreamTranslation(variant, parameters.chunks, requestBody, 1, parameters.translatorMs),
        ),
        measureStreamTranslation('text', parameters.chunks, requestBody, 64, parameters.translatorMs),
      ],
    };

    const relayResults: RelayResults = {
      parameters: {
        ...parameters,
        requestBytes: bodies.text.relay.length,
        toolsEchoBytes: JSON.stringify(codexLikeRequest('text', parameters).tools).length,
        chatRequestBytes: bodies.text.direct.length,
      },
      variants: results,
      freshSequential,
      memory: {
        relayRssAtStartMb: relayAtStart.rssMb,
        relayRssAfterWarmupMb: relayAfterWarmup.rssMb,
        relayPeakRssMb: relayAfterLoad.peakRssMb,
        relayRssAfterLoadMb: relayAfterLoad.rssMb,
        pipePeakRssMb: pipeMemory.peakRssMb,
        mockPeakRssMb: mockMemory.peakRssMb,
      },
      coldStart,
      translator,
    };
    for (const check of checkGoals(relayResults))
      context.log(`${check.met ? 'met    ' : 'NOT MET'} ${check.goal}: ${check.measured} (goal ${check.target})`);
    return {
      results: relayResults,
      markdown: renderRelayMarkdown(relayResults),
      files: { 'docs/benchmarks-relay.svg': renderRelayChart(relayResults) },
    };
  } finally {
    await stopAll();
  }
}

export const relayBench: BenchModule = {
  name: 'relay',
  description:
    'Overhead of the relay against a direct connection and a byte pipe (latency, throughput, CPU, memory, cold start, translator alone)',
  options: {
    chunks: { type: 'string' },
    iterations: { type: 'string' },
    warmup: { type: 'string' },
    'warmup-seconds': { type: 'string' },
    concurrency: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    variants: { type: 'string' },
    'cold-starts': { type: 'string' },
    'mcp-tools': { type: 'string' },
    'events-per-write': { type: 'string' },
    'translator-ms': { type: 'string' },
    'relay-log-level': { type: 'string' },
    'relay-node-args': { type: 'string' },
    'relay-cli': { type: 'string' },
  },
  run,
};
