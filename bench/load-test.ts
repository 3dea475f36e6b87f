/**
 * Load test: many concurrent streaming responses through the relay for a
 * while, on loopback. The relay runs as users run it (the built CLI in a
 * child process); a scripted upstream and the clients run in this process.
 * Each client posts a streaming request, reads it to its terminal event and
 * starts the next one. Reports the responses served, the errors (anything
 * but a 200 ending in `response.completed`; must be zero), latency, and the
 * relay's memory sampled over time from its own /metrics (must stay flat).
 *
 * `runLoadTest()` returns the figures (for a larger benchmark harness);
 * `npm run bench:load` runs it alone:
 *
 *   npm run bench:load                             200 streams for 60 s
 *   npm run bench:load -- --streams 50 --seconds 20
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';

export interface LoadTestOptions {
  /** Concurrent client streams (default 200). */
  streams?: number;
  /** How long clients keep starting new responses (default 60). */
  seconds?: number;
  /** Text chunks per upstream answer (default 40), one every `chunkDelayMs` (default 25). */
  chunksPerAnswer?: number;
  chunkDelayMs?: number;
  /** Seconds between memory samples (default 5). */
  sampleEverySeconds?: number;
  /** The repository root (holds dist/cli/main.js; `npm run build` first). */
  root?: string;
  log?: (line: string) => void;
}

export interface MemorySample {
  /** Seconds since the load started. */
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
  activeStreams: number;
}

export interface LoadTestResult {
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string; loadAverageAtStart: number };
  streams: number;
  seconds: number;
  responses: number;
  errors: number;
  /** The first few errors, described. */
  errorExamples: string[];
  responsesPerSecond: number;
  /** Upstream chunks relayed per second (each becomes at least one SSE event). */
  chunksPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Idle before the load, every sample under load, idle after it. */
  memory: { idleBefore: MemorySample; underLoad: MemorySample[]; idleAfter: MemorySample };
  /**
   * RSS growth over the last third of the run (last sample minus the first
   * sample of that third). V8 grows its heap to a working size early in a
   * run; a leak would keep RSS growing after that.
   */
  rssGrowthMb: number;
  /** The lowest V8 heap use (the floor after collections) in each third of the run. */
  heapFloorsMb: number[];
  /** Zero errors, and RSS grew by at most 5% over the last third. */
  passed: boolean;
}

/** Largest RSS growth over the last third of the run that still counts as flat. */
const FLAT_GROWTH = 0.05;

/** Runs the load test; the relay and the upstream are stopped before it resolves. */
export async function runLoadTest(options: LoadTestOptions = {}): Promise<LoadTestResult> {
  const streams = options.streams ?? 200;
  const seconds = options.seconds ?? 60;
  const chunksPerAnswer = options.chunksPerAnswer ?? 40;
  const chunkDelayMs = options.chunkDelayMs ?? 25;
  const sampleEvery = (options.sampleEverySeconds ?? 5) * 1000;
  const root = options.root ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const log = options.log ?? (() => undefined);
  const cli = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);

  const machine = {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${platform()} ${release()}`,
    node: process.versions.node,
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  };
  const upstream = await startUpstream(chunksPerAnswer, chunkDelayMs);
  const relay = await startRelay(cli, upstream.baseUrl, streams);
  const agent = new Agent({ connections: streams + 8, keepAliveTimeout: 10_000 });
  try {
    log(`relay at ${relay.url}; ${streams} streams for ${seconds} s`);
    const idleBefore = await sample(relay.url, agent, 0);
    const startedAt = Date.now();
    const deadline = startedAt + seconds * 1000;
    const latencies: number[] = [];
    const errorExamples: string[] = [];
    let errors = 0;
    const underLoad: MemorySample[] = [];
    const sampler = setInterval(() => {
      void sample(relay.url, agent, (Date.now() - startedAt) / 1000).then(
        (memory) => {
          underLoad.push(memory);
          log(
            `t=${memory.atSeconds.toFixed(0)}s rss ${memory.rssMb} MB heap ${memory.heapUsedMb} MB active ${memory.activeStreams}, ${latencies.length} responses, ${errors} errors`,
          );
        },
        (error: unknown) => errorExamples.push(`metrics: ${String(error)}`),
      );
    }, sampleEvery);
    const body = JSON.stringify({ model: 'load-model', input: 'Tell me a long story.', stream: true, store: false });
    await Promise.all(
      Array.from({ length: streams }, async () => {
        while (Date.now() < deadline) {
          const began = Date.now();
          const problem = await oneResponse(relay.url, agent, body);
          if (problem === undefined) {
            latencies.push(Date.now() - began);
          } else {
            errors++;
            if (errorExamples.length < 5) errorExamples.push(problem);
          }
        }
      }),
    );
    clearInterval(sampler);
    const elapsed = (Date.now() - startedAt) / 1000;
    // Let the relay settle (GC, sockets) before the idle sample.
    await new Promise((done) => setTimeout(done, 2_000));
    const idleAfter = await sample(relay.url, agent, elapsed);
    latencies.sort((a, b) => a - b);
    const thirds = [0, 1, 2].map((third) =>
      underLoad.filter(
        (memory) => memory.atSeconds > (third * elapsed) / 3 && memory.atSeconds <= ((third + 1) * elapsed) / 3 + 0.5,
      ),
    );
    const warm = thirds[2]![0];
    const last = underLoad.at(-1);
    const rssGrowthMb = warm && last ? Math.round((last.rssMb - warm.rssMb) * 10) / 10 : 0;
    return {
      machine,
      streams,
      seconds,
      responses: latencies.length,
      errors,
      errorExamples,
      responsesPerSecond: Math.round((latencies.length / elapsed) * 10) / 10,
      chunksPerSecond: Math.round((latencies.length * (chunksPerAnswer + 2)) / elapsed),
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? 0 },
      memory: { idleBefore, underLoad, idleAfter },
      rssGrowthMb,
      heapFloorsMb: thirds
        .map((samples) => Math.min(...samples.map((memory) => memory.heapUsedMb)))
        .filter(Number.isFinite),
      passed: errors === 0 && (!warm || !last || last.rssMb <= warm.rssMb * (1 + FLAT_GROWTH)),
    };
  } finally {
    await agent.close();
    await relay.stop();
    await upstream.close();
  }
}

/** One streaming response read to its end; undefined when it completed, else what went wrong. */
async function oneResponse(url: string, agent: Agent, body: string): Promise<string | undefined> {
  try {
    const response = await request(`${url}/v1/responses`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) return `HTTP ${response.statusCode}: ${text.slice(0, 200)}`;
    const lastEvent = text.lastIndexOf('event: ');
    const type = lastEvent === -1 ? '' : text.slice(lastEvent + 7, text.indexOf('\n', lastEvent));
    return type === 'response.completed' ? undefined : `ended with '${type}': ${text.slice(-300)}`;
  } catch (error) {
    return `request failed: ${(error as Error).message}`;
  }
}

async function sample(url: string, agent: Agent, atSeconds: number): Promise<MemorySample> {
  const response = await request(`${url}/metrics`, { dispatcher: agent });
  const text = await response.body.text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    atSeconds: Math.round(atSeconds * 10) / 10,
    rssMb: Math.round((value('responses_relay_process_resident_memory_bytes') / 1024 / 1024) * 10) / 10,
    heapUsedMb: Math.round((value('responses_relay_nodejs_heap_size_used_bytes') / 1024 / 1024) * 10) / 10,
    activeStreams: value('responses_relay_active_streams'),
  };
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** A Chat Completions upstream answering every request with the same paced stream. */
async function startUpstream(chunks: number, delayMs: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const frame = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-load', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'load-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const usage = `data: ${JSON.stringify({ id: 'chatcmpl-load', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'load-model', choices: [], usage: { prompt_tokens: 200, completion_tokens: chunks * 3, total_tokens: 200 + chunks * 3 } })}\n\n`;
  const server: Server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    incoming.resume();
    incoming.on('end', async () => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(frame({ role: 'assistant', content: '' }));
      for (let index = 0; index < chunks && !response.destroyed; index++) {
        await new Promise((done) => setTimeout(done, delayMs));
        response.write(frame({ content: `word${index} and some more text ` }));
      }
      if (response.destroyed) return;
      response.end(`${frame({}, 'stop')}${usage}data: [DONE]\n\n`);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The relay as users run it, on a free port. */
async function startRelay(
  cli: string,
  upstreamUrl: string,
  streams: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      cli,
      '--port',
      '0',
      '--upstream',
      upstreamUrl,
      '--store',
      'memory',
      '--max-concurrent',
      String(streams + 8),
      '--log-level',
      'warn',
      '--shutdown-grace',
      '5s',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((done, fail) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) done(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`the relay exited (${code}) before listening`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** The figures as Markdown for docs/benchmarks.md. */
export function formatLoadReport(result: LoadTestResult): string {
  const { machine } = result;
  const samples = result.memory.underLoad.map(
    (memory) =>
      `| ${memory.atSeconds.toFixed(0)} s | ${memory.rssMb} | ${memory.heapUsedMb} | ${memory.activeStreams} |`,
  );
  return [
    `${result.streams} concurrent streams for ${result.seconds} s on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node} (load average ${machine.loadAverageAtStart} at start).`,
    '',
    '| Measure | Value |',
    '|---|---|',
    `| Responses completed | ${result.responses.toLocaleString('en-US')} (${result.responsesPerSecond}/s; ${result.chunksPerSecond.toLocaleString('en-US')} upstream chunks/s) |`,
    `| Errors | ${result.errors} |`,
    `| Latency per response (p50 / p99 / max) | ${result.latencyMs.p50} / ${result.latencyMs.p99} / ${result.latencyMs.max} ms |`,
    `| Relay RSS idle before / idle after | ${result.memory.idleBefore.rssMb} MB / ${result.memory.idleAfter.rssMb} MB |`,
    `| RSS growth over the last third of the run | ${result.rssGrowthMb} MB |`,
    `| V8 heap floor per third of the run | ${result.heapFloorsMb.join(' / ')} MB |`,
    '',
    '| Time | RSS (MB) | V8 heap used (MB) | Active streams |',
    '|---|---|---|---|',
    ...samples,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { streams: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const log = (line: string) => process.stderr.write(`[load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const result = await runLoadTest({
    ...(values.streams ? { streams: Number(values.streams) } : {}),
    ...(values.seconds ? { seconds: Number(values.seconds) } : {}),
    log,
  });
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatLoadReport(result)}\n`);
  for (const example of result.errorExamples) log(`error: ${example}`);
  if (!result.passed) {
    log(result.errors > 0 ? `${result.errors} errors` : `RSS grew by ${result.rssGrowthMb} MB under steady load`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
