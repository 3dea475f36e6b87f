/**
 * Session store benchmark. Reports, for SQLite and for Redis on loopback: the
 * time to rebuild a 500-turn conversation for previous_response_id (p50,
 * p99), the time to write one turn, and the bytes each stored turn takes; for
 * the memory backend: the process RSS with 10,000 stored responses.
 *
 * `runStoreBench()` returns the figures (for a larger benchmark harness);
 * `npm run bench:store` runs it alone and prints them.
 */

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startTestRedis } from '../harness/redis-server.js';
import { MemoryResponseStore } from '../src/store/memory-store.js';
import { RedisResponseStore } from '../src/store/redis-store.js';
import { ResponseHistory } from '../src/store/response-history.js';
import { SqliteResponseStore } from '../src/store/sqlite-store.js';
import type { ResponseStore, StoredTurn } from '../src/store/types.js';
import type { InputItem, ResponsesRequest } from '../src/translate/request/responses-schema.js';

export interface StoreBenchOptions {
  /** Turns in the conversation that is rebuilt (default 500). */
  chainTurns?: number;
  /** Timed rebuilds (default 300, after 30 untimed). */
  rebuildIterations?: number;
  /** Timed writes (default 2,000). */
  writeTurns?: number;
  /** Responses held by the memory backend for the RSS figure (default 10,000). */
  memoryResponses?: number;
}

export interface Percentiles {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

export interface StoreBenchResult {
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string; sqlite: string };
  sqlite: {
    /** store.chain() plus flattening: what previous_response_id costs the store (warm: turns parsed before are cached). */
    rebuildChain: Percentiles & { turns: number; items: number };
    /** The first rebuild after a restart: every turn read and parsed. */
    rebuildChainCold: Percentiles;
    /** The whole input resolution in the relay (chain, flattening, reasoning check). */
    rebuildRequest: Percentiles & { turns: number };
    /** One store.save(), a transaction with its conversation row and tool-call index. */
    write: Percentiles;
    /** Stored JSON per turn, and the file size per turn after a checkpoint. */
    bytesPerTurn: { json: number; file: number };
  };
  memory: {
    responses: number;
    rssMb: number;
    rssDeltaMb: number;
    heapDeltaMb: number;
    rebuildChain: Percentiles & { turns: number };
  };
  /** A local redis-server on loopback (append-only file, fsync every second); `unavailable` says why it did not run. */
  redis: RedisFigures | { unavailable: string };
}

export interface RedisFigures {
  version: string;
  /** store.chain() plus flattening, warm: one script walks the chain inside Redis and refreshes its expiry; only ids come back. */
  rebuildChain: Percentiles & { turns: number; items: number };
  /** The first rebuild on a relay that has parsed none of the turns (every turn fetched and parsed). */
  rebuildChainCold: Percentiles;
  rebuildRequest: Percentiles & { turns: number };
  /** One store.save(): a MULTI/EXEC of the turn hash, its TTL and the indexes, acknowledged by Redis. */
  write: Percentiles;
  /** Stored JSON per turn, and Redis's used_memory growth per turn. */
  bytesPerTurn: { json: number; memory: number };
}

const NOW = Date.now();
let sequence = 0;
const nextId = (prefix: string) => `${prefix}_${(++sequence).toString(16).padStart(32, '0')}`;

const TOOLS = [
  {
    type: 'function',
    name: 'exec_command',
    description: 'Run a shell command and return its output.',
    parameters: {
      type: 'object',
      properties: { cmd: { type: 'string' }, workdir: { type: 'string' } },
      required: ['cmd'],
    },
    strict: false,
  },
  {
    type: 'function',
    name: 'read_file',
    description: 'Read a file from the workspace.',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    strict: false,
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Apply a patch to files in the workspace.',
    format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' },
  },
];

const words = (count: number, seed: number) =>
  Array.from(
    { length: count },
    (_, index) => ['the', 'relay', 'file', 'change', 'test', 'output', 'config', 'value'][(index * 7 + seed) % 8],
  ).join(' ');

/**
 * A turn as the relay stores it from a tool-using client: every other turn is a tool
 * call (reasoning + call, answered by a tool output), the rest a reply
 * (reasoning + message, answered by a user message).
 */
function realisticTurn(index: number, previousResponseId: string | null): StoredTurn {
  const id = nextId('resp');
  const toolTurn = index % 2 === 0;
  const callId = `call_${index}`;
  const input: InputItem[] =
    index % 2 === 1
      ? [
          {
            type: 'function_call_output',
            id: nextId('fco'),
            call_id: `call_${index - 1}`,
            output: words(250, index),
            status: 'completed',
          },
        ]
      : [
          {
            type: 'message',
            id: nextId('msg'),
            role: 'user',
            status: 'completed',
            content: [{ type: 'input_text', text: words(50, index) }],
          },
        ];
  const reasoningText = words(100, index + 1);
  const output: InputItem[] = [
    {
      type: 'reasoning',
      id: nextId('rs'),
      summary: [{ type: 'summary_text', text: reasoningText }],
      content: [{ type: 'reasoning_text', text: reasoningText }],
      encrypted_content: null,
      status: 'completed',
    },
    toolTurn
      ? {
          type: 'function_call',
          id: nextId('fc'),
          call_id: callId,
          name: 'exec_command',
          arguments: JSON.stringify({ cmd: `grep -rn ${words(4, index)} src` }),
          status: 'completed',
        }
      : {
          type: 'message',
          id: nextId('msg'),
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: words(80, index + 2), annotations: [], logprobs: [] }],
        },
  ];
  const response = {
    id,
    object: 'response',
    created_at: Math.floor(NOW / 1000),
    status: 'completed',
    completed_at: Math.floor(NOW / 1000),
    error: null,
    incomplete_details: null,
    instructions: words(60, 3),
    max_output_tokens: null,
    model: 'deepseek-chat',
    output: [],
    parallel_tool_calls: true,
    previous_response_id: previousResponseId,
    prompt_cache_key: null,
    reasoning: { effort: 'high', summary: null },
    store: true,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: TOOLS,
    top_p: null,
    truncation: 'disabled',
    usage: {
      input_tokens: 1200 + index * 300,
      input_tokens_details: { cached_tokens: 1000 + index * 290 },
      output_tokens: 180,
      output_tokens_details: { reasoning_tokens: 120 },
      total_tokens: 1380 + index * 300,
    },
    metadata: {},
  };
  return { id, previousResponseId, input, output, response, createdAt: NOW };
}

const WARMUP = 30;

/** Times `iterations` runs of `operation` after a warm-up; `setup` runs untimed before each. */
async function timeRuns<Context>(
  iterations: number,
  operation: (context: Context) => Promise<unknown>,
  setup?: () => Promise<Context>,
): Promise<Percentiles> {
  const samples: bigint[] = [];
  for (let iteration = 0; iteration < iterations + WARMUP; iteration++) {
    const context = (await setup?.()) as Context;
    const started = process.hrtime.bigint();
    await operation(context);
    if (iteration >= WARMUP) samples.push(process.hrtime.bigint() - started);
  }
  return percentiles(samples);
}

/** Rebuilds a chain the way the relay does: walk it, then flatten every turn's items. */
async function rebuild(store: ResponseStore, id: string): Promise<number> {
  const lookup = await store.chain(id);
  if (lookup.status !== 'found') throw new Error(`chain lookup: ${lookup.status}`);
  return lookup.turns.flatMap((turn) => [...turn.input, ...turn.output]).length;
}

function percentiles(samplesNs: bigint[]): Percentiles {
  const sorted = samplesNs.map((sample) => Number(sample) / 1e6).sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), samples: sorted.length };
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const megabytes = (bytes: number) => round(bytes / 1024 / 1024, 1);

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
}

async function measureMemory(
  responses: number,
  chainTurns: number,
  iterations: number,
): Promise<StoreBenchResult['memory']> {
  collectGarbage();
  const before = process.memoryUsage();
  const store = new MemoryResponseStore({ ttlMs: 7 * 86_400_000, maxBytes: 4 * 1024 * 1024 * 1024 });
  // Conversations of 20 turns, as clients continuing with previous_response_id build them.
  let previous: string | null = null;
  for (let index = 0; index < responses; index++) {
    const turn = realisticTurn(index, index % 20 === 0 ? null : previous);
    await store.save(turn);
    previous = turn.id;
  }
  collectGarbage();
  const after = process.memoryUsage();
  const stats = await store.stats();
  if (stats.turns !== responses) throw new Error(`memory store kept ${stats.turns} of ${responses} responses`);
  let leaf: string | null = null;
  for (let index = 0; index < chainTurns; index++) {
    const turn = realisticTurn(index, leaf);
    await store.save(turn);
    leaf = turn.id;
  }
  const chainId = leaf!;
  const rebuildChain = { ...(await timeRuns(iterations, () => rebuild(store, chainId))), turns: chainTurns };
  await store.close();
  return {
    responses,
    rssMb: megabytes(after.rss),
    rssDeltaMb: megabytes(after.rss - before.rss),
    heapDeltaMb: megabytes(after.heapUsed - before.heapUsed),
    rebuildChain,
  };
}

/** 2,000 writes appended to 20 conversations in turn (rows interleave as with real traffic), then a chain of `chainTurns`; returns the write times and the chain's last id. */
async function writeTurns(
  store: ResponseStore,
  options: Required<StoreBenchOptions>,
): Promise<{ writes: bigint[]; chainId: string }> {
  const writes: bigint[] = [];
  const leaves: Array<string | null> = Array.from({ length: 20 }, () => null);
  for (let index = 0; index < options.writeTurns; index++) {
    const slot = index % leaves.length;
    const turn = realisticTurn(Math.floor(index / leaves.length), leaves[slot]!);
    const started = process.hrtime.bigint();
    await store.save(turn);
    writes.push(process.hrtime.bigint() - started);
    leaves[slot] = turn.id;
  }
  let leaf: string | null = null;
  for (let index = 0; index < options.chainTurns; index++) {
    const turn = realisticTurn(index, leaf);
    await store.save(turn);
    leaf = turn.id;
  }
  return { writes, chainId: leaf! };
}

/** The relay's whole `previous_response_id` step (rebuild, reasoning check) for the chain. */
async function timeInputResolution(
  store: ResponseStore,
  chainId: string,
  options: Required<StoreBenchOptions>,
): Promise<Percentiles & { turns: number }> {
  const history = new ResponseHistory({ store, logger: pino({ level: 'silent' }), createId: nextId, now: Date.now });
  const request: ResponsesRequest = {
    model: 'deepseek-chat',
    input: [{ type: 'function_call_output', call_id: `call_${options.chainTurns - 1}`, output: 'ok' }],
    tools: [],
    instructions: null,
    previous_response_id: chainId,
  };
  return {
    ...(await timeRuns(options.rebuildIterations, () => history.resolveInput(request, 0))),
    turns: options.chainTurns,
  };
}

/** Rebuilds on a store opened afresh each time (nothing parsed yet); only the rebuild is timed. */
async function timeColdRebuilds(
  options: Required<StoreBenchOptions>,
  chainId: string,
  open: () => Promise<ResponseStore>,
): Promise<Percentiles> {
  let fresh: ResponseStore | undefined;
  const timed = await timeRuns(
    Math.min(options.rebuildIterations, 100),
    (store: ResponseStore) => rebuild(store, chainId),
    async () => {
      await fresh?.close();
      fresh = await open();
      return fresh;
    },
  );
  await fresh?.close();
  return timed;
}

async function measureRedis(options: Required<StoreBenchOptions>): Promise<StoreBenchResult['redis']> {
  let server;
  try {
    server = await startTestRedis({ appendfsync: 'everysec' });
  } catch (error) {
    return { unavailable: (error as Error).message };
  }
  const open = () => RedisResponseStore.open({ url: server.url, prefix: 'bench:', ttlMs: 7 * 86_400_000, maxBytes: 0 });
  const store = await open();
  try {
    const usedMemory = () => Number(/used_memory:(\d+)/.exec(server.cli('INFO', 'memory'))![1]);
    const memoryBefore = usedMemory();
    const { writes, chainId } = await writeTurns(store, options);
    const stats = await store.stats();
    const memoryPerTurn = Math.round((usedMemory() - memoryBefore) / stats.turns);
    const items = await rebuild(store, chainId);
    const rebuildChain = {
      ...(await timeRuns(options.rebuildIterations, () => rebuild(store, chainId))),
      turns: options.chainTurns,
      items,
    };
    const rebuildChainCold = await timeColdRebuilds(options, chainId, open);
    const rebuildRequest = await timeInputResolution(store, chainId, options);
    const version = /redis_version:(\S+)/.exec(server.cli('INFO', 'server'))![1]!;
    return {
      version,
      rebuildChain,
      rebuildChainCold,
      rebuildRequest,
      write: percentiles(writes),
      bytesPerTurn: { json: Math.round(stats.bytes / stats.turns), memory: memoryPerTurn },
    };
  } finally {
    await store.close();
    await server.stop();
  }
}

async function measureSqlite(options: Required<StoreBenchOptions>): Promise<StoreBenchResult['sqlite']> {
  const directory = mkdtempSync(join(tmpdir(), 'store-bench-'));
  const path = join(directory, 'sessions.db');
  const store = new SqliteResponseStore({ path, ttlMs: 7 * 86_400_000, maxBytes: 8 * 1024 * 1024 * 1024 });
  try {
    const { writes, chainId } = await writeTurns(store, options);
    const items = await rebuild(store, chainId);
    const rebuildChain = {
      ...(await timeRuns(options.rebuildIterations, () => rebuild(store, chainId))),
      turns: options.chainTurns,
      items,
    };
    // The first rebuild after a restart: a new store on the same file, nothing parsed yet.
    const rebuildChainCold = await timeColdRebuilds(
      options,
      chainId,
      async () => new SqliteResponseStore({ path, ttlMs: 7 * 86_400_000, maxBytes: 8 * 1024 * 1024 * 1024 }),
    );

    const rebuildRequest = await timeInputResolution(store, chainId, options);

    const stats = await store.stats();
    await store.close();
    const fileBytes = statSync(path).size;
    return {
      rebuildChain,
      rebuildChainCold,
      rebuildRequest,
      write: percentiles(writes),
      bytesPerTurn: { json: Math.round(stats.bytes / stats.turns), file: Math.round(fileBytes / stats.turns) },
    };
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

function describeMachine(): StoreBenchResult['machine'] {
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: round(totalmem() / 1024 ** 3, 1),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
  };
}

/** Runs the store benchmark and returns its figures. */
export async function runStoreBench(options: StoreBenchOptions = {}): Promise<StoreBenchResult> {
  const settings: Required<StoreBenchOptions> = {
    chainTurns: options.chainTurns ?? 500,
    rebuildIterations: options.rebuildIterations ?? 300,
    writeTurns: options.writeTurns ?? 2_000,
    memoryResponses: options.memoryResponses ?? 10_000,
  };
  // Memory first, so the RSS figure is not inflated by the SQLite run.
  const memory = await measureMemory(settings.memoryResponses, settings.chainTurns, settings.rebuildIterations);
  const sqlite = await measureSqlite(settings);
  const redis = await measureRedis(settings);
  return { machine: describeMachine(), sqlite, memory, redis };
}

/** The figures as the lines docs/benchmarks.md shows. */
export function formatStoreBench(result: StoreBenchResult): string {
  const { sqlite, memory, machine } = result;
  return [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, SQLite ${machine.sqlite}`,
    `sqlite rebuild of a ${sqlite.rebuildChain.turns}-turn chain (${sqlite.rebuildChain.items} items): p50 ${sqlite.rebuildChain.p50Ms} ms, p99 ${sqlite.rebuildChain.p99Ms} ms`,
    `sqlite rebuild, nothing cached (first after a restart): p50 ${sqlite.rebuildChainCold.p50Ms} ms, p99 ${sqlite.rebuildChainCold.p99Ms} ms`,
    `sqlite previous_response_id input resolution, ${sqlite.rebuildRequest.turns} turns: p50 ${sqlite.rebuildRequest.p50Ms} ms, p99 ${sqlite.rebuildRequest.p99Ms} ms`,
    `sqlite write per turn: p50 ${sqlite.write.p50Ms} ms, p99 ${sqlite.write.p99Ms} ms (${sqlite.write.samples} writes)`,
    `sqlite bytes per stored turn: ${sqlite.bytesPerTurn.json} of JSON, ${sqlite.bytesPerTurn.file} in the file`,
    `memory backend with ${memory.responses} responses: RSS ${memory.rssMb} MB (+${memory.rssDeltaMb} MB; heap +${memory.heapDeltaMb} MB)`,
    `memory rebuild of a ${memory.rebuildChain.turns}-turn chain: p50 ${memory.rebuildChain.p50Ms} ms, p99 ${memory.rebuildChain.p99Ms} ms`,
    ...formatRedis(result.redis),
  ].join('\n');
}

function formatRedis(redis: StoreBenchResult['redis']): string[] {
  if ('unavailable' in redis) return [`redis: not measured (${redis.unavailable})`];
  return [
    `redis ${redis.version} rebuild of a ${redis.rebuildChain.turns}-turn chain (${redis.rebuildChain.items} items): p50 ${redis.rebuildChain.p50Ms} ms, p99 ${redis.rebuildChain.p99Ms} ms`,
    `redis rebuild, nothing cached (first on a relay): p50 ${redis.rebuildChainCold.p50Ms} ms, p99 ${redis.rebuildChainCold.p99Ms} ms`,
    `redis previous_response_id input resolution, ${redis.rebuildRequest.turns} turns: p50 ${redis.rebuildRequest.p50Ms} ms, p99 ${redis.rebuildRequest.p99Ms} ms`,
    `redis write per turn: p50 ${redis.write.p50Ms} ms, p99 ${redis.write.p99Ms} ms (${redis.write.samples} writes)`,
    `redis bytes per stored turn: ${redis.bytesPerTurn.json} of JSON, ${redis.bytesPerTurn.memory} of Redis memory`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runStoreBench();
  // --json: the figures alone, for `npm run bench`, which runs this in a process of its own.
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${formatStoreBench(result)}\n\n${JSON.stringify(result, null, 2)}\n`);
}
