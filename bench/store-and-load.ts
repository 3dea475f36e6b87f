/**
 * The session-store benchmark and the load test as modules of `npm run bench`.
 * The store benchmark runs in a process of its own, so its RSS figure is the
 * store's and not the harness's; the load test starts the built relay
 * (dist/cli/main.js) and drives it from this process.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { formatLoadReport, type LoadTestResult, runLoadTest } from './load-test.js';
import type { StoreBenchResult } from './store-bench.js';
import type { BenchModule } from './types.js';

/** Goals from the session store issue. */
const REBUILD_GOAL_MS = 5;
const WRITE_GOAL_MS = 1;

export const storeBench: BenchModule = {
  name: 'store',
  description:
    'Session store: rebuild of a 500-turn chain, write per turn, bytes per turn (SQLite, Redis on loopback); RSS with 10,000 responses (memory)',
  options: {},
  async run(context) {
    const script = join(context.root, '.bench-build', 'bench', 'store-bench.js');
    const output = await runNode(['--expose-gc', script, '--json'], context.root);
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as StoreBenchResult;
    return { results: result, markdown: storeMarkdown(result) };
  },
};

/** The store section of docs/benchmarks.md. */
export function storeMarkdown(result: StoreBenchResult): string {
  const { sqlite, memory, redis } = result;
  const met = (value: number, goal: number) => (value <= goal ? 'yes' : '**no**');
  const redisRows =
    'unavailable' in redis
      ? []
      : [
          `| Redis rebuild, ${redis.rebuildChain.turns} turns, warm, loopback | ${redis.rebuildChain.p50Ms} ms | ${redis.rebuildChain.p99Ms} ms | | |`,
          `| Redis rebuild, first on a relay that parsed none of it | ${redis.rebuildChainCold.p50Ms} ms | ${redis.rebuildChainCold.p99Ms} ms | | |`,
          `| Input resolution for \`previous_response_id\`, ${redis.rebuildRequest.turns} turns, Redis | ${redis.rebuildRequest.p50Ms} ms | ${redis.rebuildRequest.p99Ms} ms | | |`,
          `| Redis write per turn, loopback | ${redis.write.p50Ms} ms | ${redis.write.p99Ms} ms | | |`,
        ];
  return [
    `Run by \`npm run bench\` (also alone: \`npm run bench:store\`); SQLite ${result.machine.sqlite}${'unavailable' in redis ? '' : `, Redis ${redis.version}`}.`,
    '',
    '| Measure | p50 | p99 | Goal | Met |',
    '|---|---|---|---|---|',
    `| SQLite rebuild, ${sqlite.rebuildChain.turns} turns (${sqlite.rebuildChain.items.toLocaleString('en-US')} items), warm | ${sqlite.rebuildChain.p50Ms} ms | ${sqlite.rebuildChain.p99Ms} ms | ≤ ${REBUILD_GOAL_MS} ms p50 | ${met(sqlite.rebuildChain.p50Ms, REBUILD_GOAL_MS)} |`,
    `| SQLite rebuild, first after a restart | ${sqlite.rebuildChainCold.p50Ms} ms | ${sqlite.rebuildChainCold.p99Ms} ms | | |`,
    `| Input resolution for \`previous_response_id\`, ${sqlite.rebuildRequest.turns} turns | ${sqlite.rebuildRequest.p50Ms} ms | ${sqlite.rebuildRequest.p99Ms} ms | | |`,
    `| SQLite write per turn | ${sqlite.write.p50Ms} ms | ${sqlite.write.p99Ms} ms | ≤ ${WRITE_GOAL_MS} ms p50 | ${met(sqlite.write.p50Ms, WRITE_GOAL_MS)} |`,
    `| Memory backend rebuild, ${memory.rebuildChain.turns} turns | ${memory.rebuildChain.p50Ms} ms | ${memory.rebuildChain.p99Ms} ms | | |`,
    ...redisRows,
    '',
    '| Measure | Value |',
    '|---|---|',
    `| SQLite bytes per stored turn | ${sqlite.bytesPerTurn.json.toLocaleString('en-US')} bytes of JSON; ${sqlite.bytesPerTurn.file.toLocaleString('en-US')} bytes of file |`,
    `| Memory backend with ${memory.responses.toLocaleString('en-US')} responses | RSS ${memory.rssMb} MB (+${memory.rssDeltaMb} MB over the empty process; V8 heap +${memory.heapDeltaMb} MB) |`,
    'unavailable' in redis
      ? `| Redis | not measured: ${redis.unavailable} |`
      : `| Redis bytes per stored turn | ${redis.bytesPerTurn.json.toLocaleString('en-US')} bytes of JSON; ${redis.bytesPerTurn.memory.toLocaleString('en-US')} bytes of Redis memory |`,
  ].join('\n');
}

export const loadBench: BenchModule = {
  name: 'load',
  description:
    'Load test: concurrent streams through the built relay for a while; errors (must be zero) and memory over time (must stay flat)',
  options: { 'load-streams': { type: 'string' }, 'load-seconds': { type: 'string' } },
  async run(context) {
    const streams = Number(context.options['load-streams'] ?? (context.quick ? 50 : 200));
    const seconds = Number(context.options['load-seconds'] ?? (context.quick ? 15 : 60));
    const result: LoadTestResult = await runLoadTest({ streams, seconds, root: context.root, log: context.log });
    const verdict = result.passed
      ? 'Passed: no errors, memory flat.'
      : `**Failed**: ${result.errors} errors, RSS grew by ${result.rssGrowthMb} MB over the last third.`;
    return { results: result, markdown: `${formatLoadReport(result)}\n\n${verdict}` };
  },
};

/** Runs node with the given arguments and returns its standard output; fails on a non-zero exit. */
function runNode(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`node ${args.join(' ')} exited with ${code}`)),
    );
  });
}
