/**
 * The built command line: a relay started with `serve` records its turns in
 * the SQLite file, writes what is pending when it stops, and `usage` prints
 * them; bad options are one line with exit code 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postResponse } from '../faults/support.js';
import { runCli, type ServingCli, startCli } from '../support/cli.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';

let upstream: MockUpstream | undefined;
let relay: ServingCli | undefined;
let directory: string | undefined;

afterEach(async () => {
  await relay?.stop('SIGKILL');
  await upstream?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
  relay = upstream = directory = undefined;
});

describe('responses-relay usage', () => {
  it('prints the turns a relay served, from its SQLite file', async () => {
    upstream = await startMockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ...textChunks('ok'),
        finishChunk('stop'),
        usageChunk(2_000, 30, { prompt_cache_hit_tokens: 1_500, prompt_cache_miss_tokens: 500 }),
      ],
    }));
    directory = mkdtempSync(join(tmpdir(), 'relay-usage-cli-'));
    const storePath = join(directory, 'sessions.db');
    relay = await startCli([
      '--provider',
      'deepseek',
      '--upstream',
      upstream.baseUrl,
      '--upstream-key',
      'sk-test',
      '--port',
      '0',
      '--store-path',
      storePath,
    ]);
    for (let turn = 0; turn < 2; turn++) {
      const response = await postResponse(
        relay.url,
        { model: 'deepseek-flash', input: 'hi', stream: false },
        { 'user-agent': 'codex_exec/0.169.0' },
      );
      expect(response.status).toBe(200);
    }
    // Stopped right away: the records still waiting are written on the way out.
    expect(await relay.stop('SIGTERM')).toBe(0);
    relay = undefined;

    const json = await runCli(['usage', '--store-path', storePath, '--by', 'client', '--json']);
    expect(json.stderr).toBe('');
    const summary = JSON.parse(json.stdout) as { totals: Record<string, any>; groups: Array<{ key: string }> };
    expect(summary.totals).toMatchObject({
      turns: 2,
      completed: 2,
      input_tokens: 4_000,
      cached_input_tokens: 3_000,
      output_tokens: 60,
      unpriced_turns: 0,
    });
    // DeepSeek's profile price for deepseek-flash: $0.30 input, $0.006 cached, $1.20 output per million.
    expect(summary.totals.cost_usd).toBeCloseTo((2 * (500 * 0.3 + 1_500 * 0.006 + 30 * 1.2)) / 1e6, 10);
    expect(summary.groups.map((group) => group.key)).toEqual(['codex']);

    const table = await runCli(['usage', '--store-path', storePath]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^deepseek\/deepseek-flash\s+2\s+0\s+4,000\s+3,000\s+60\b/m);
  });

  it('explains bad options and a missing file in one line with exit code 2', async () => {
    directory = mkdtempSync(join(tmpdir(), 'relay-usage-cli-'));
    const missing = await runCli(['usage', '--store-path', join(directory, 'none.db')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^responses-relay: no usage recorded at .*none\.db/);
    const since = await runCli(['usage', '--store-path', join(directory, 'none.db'), '--since', 'last week']);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/--since: since must be a duration ago/);
    const memory = await runCli(['usage', '--store', 'memory']);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(
      /^responses-relay: with --store memory the usage ledger lives in the running relay's memory; ask the relay: GET \/v1\/usage/,
    );
    const redis = await runCli(['usage', '--store', 'redis']);
    expect(redis.code).toBe(2);
    expect(redis.stderr).toMatch(/--store redis needs --store-url/);
    const retention = await runCli([
      '--provider',
      'ollama',
      '--port',
      '0',
      '--store',
      'memory',
      '--usage-retention',
      'forever',
    ]);
    expect(retention.code).toBe(2);
    expect(retention.stderr).toMatch(/--usage-retention 'forever' is not a duration/);
  });
});
