/** The pure parts of usage: figures, prices, the query, the client, the memory ring, the recorder, config prices. */
import { describe, expect, it } from 'vitest';
import { buildRouter } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';
import { type Logger, silentLogger } from '../../src/log.js';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { kimiProvider } from '../../src/providers/kimi.js';
import type { ResponseStore } from '../../src/store/types.js';
import { MemoryUsageLedger } from '../../src/usage/memory-ledger.js';
import { openUsageLedger } from '../../src/usage/open-ledger.js';
import { costOf, findPrice } from '../../src/usage/prices.js';
import { percentiles, summarizeUsage } from '../../src/usage/summarize.js';
import { clientOf } from '../../src/usage/turn-usage.js';
import type { UsageLedger } from '../../src/usage/types.js';
import { parseUsageQuery } from '../../src/usage/usage-query.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.js';
import { record, T0 } from './records.js';

const DAY = 86_400_000;

describe('summarizeUsage', () => {
  const records = [
    record({}),
    record({
      startedAt: T0 + 3_600_000,
      provider: 'kimi',
      upstreamModel: 'kimi-k3',
      costUsd: null,
      savedUsd: null,
      firstTokenMs: 300,
      durationMs: 3000,
    }),
    record({
      startedAt: T0 + DAY,
      outcome: 'failed',
      errorCode: 'rate_limit_exceeded',
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
      costUsd: 0,
      savedUsd: 0,
      firstTokenMs: null,
      durationMs: 50,
      retries: 2,
    }),
    record({
      startedAt: T0 + DAY,
      outcome: 'client_gone',
      client: 'openai-sdk',
      firstTokenMs: 200,
      durationMs: 2000,
      fallbacks: 1,
    }),
  ];

  it('adds up tokens, cost, savings, outcomes, errors, retries and fallbacks', () => {
    const { totals } = summarizeUsage(records, {});
    expect(totals).toMatchObject({
      turns: 4,
      completed: 2,
      failed: 1,
      client_gone: 1,
      incomplete: 0,
      input_tokens: 300,
      cached_input_tokens: 120,
      output_tokens: 30,
      reasoning_tokens: 6,
      cost_usd: 0.002,
      saved_usd: 0.0004,
      unpriced_turns: 1,
      retries: 2,
      fallbacks: 1,
      errors: { rate_limit_exceeded: 1 },
    });
    expect(totals.latency_ms.first_token).toEqual({ p50: 200, p90: 300, p99: 300, max: 300 });
    expect(totals.latency_ms.total).toEqual({ p50: 1000, p90: 3000, p99: 3000, max: 3000 });
  });

  it('groups by model, provider, client, day and hour', () => {
    const keys = (groupBy: Parameters<typeof summarizeUsage>[1]['groupBy']) =>
      summarizeUsage(records, { groupBy }).groups.map((group) => [group.key, group.turns]);
    expect(keys('model')).toEqual([
      ['deepseek/deepseek-flash', 3],
      ['kimi/kimi-k3', 1],
    ]);
    expect(keys('client')).toEqual([
      ['codex', 3],
      ['openai-sdk', 1],
    ]);
    expect(keys('day')).toEqual([
      ['2026-05-01', 2],
      ['2026-05-02', 2],
    ]);
    expect(keys('hour')).toEqual([
      ['2026-05-01T10:00Z', 1],
      ['2026-05-01T11:00Z', 1],
      ['2026-05-02T10:00Z', 2],
    ]);
    const kimi = summarizeUsage(records, { groupBy: 'provider' }).groups.find((group) => group.key === 'kimi')!;
    expect(kimi.cost_usd).toBeNull();
  });

  it('has no figures for no records', () => {
    const summary = summarizeUsage([], { groupBy: 'day', since: 5, until: 9 });
    expect(summary).toMatchObject({ object: 'usage.summary', since: 5, until: 9, group_by: 'day', groups: [] });
    expect(summary.totals).toMatchObject({ turns: 0, cost_usd: null, latency_ms: { first_token: null, total: null } });
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentiles([5])).toEqual({ p50: 5, p90: 5, p99: 5, max: 5 });
    expect(percentiles(Array.from({ length: 100 }, (_, index) => 100 - index))).toEqual({
      p50: 50,
      p90: 90,
      p99: 99,
      max: 100,
    });
  });
});

describe('prices', () => {
  it('prices cached input at its own rate and counts the difference as saved', () => {
    const price = {
      model: 'm',
      inputPerMillion: 2,
      cachedInputPerMillion: 0.5,
      outputPerMillion: 8,
      source: 'x',
      takenOn: '2026-01-01',
    };
    const cost = costOf({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 }, price);
    expect(cost.costUsd).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8, 10);
    expect(cost.savedUsd).toBeCloseTo(0.4 * 1.5, 10);
    expect(
      costOf({ inputTokens: 10, cachedInputTokens: 5, outputTokens: 1 }, { ...price, cachedInputPerMillion: undefined })
        .savedUsd,
    ).toBe(0);
    expect(costOf({ inputTokens: 10, cachedInputTokens: 0, outputTokens: 1 }, undefined)).toEqual({
      costUsd: null,
      savedUsd: null,
    });
  });

  it('ships prices with their source and date for the profiles whose pages list them', () => {
    for (const profile of [deepseekProvider, kimiProvider]) {
      expect(profile.prices.length).toBeGreaterThan(0);
      for (const price of profile.prices) {
        expect(price.source).toMatch(/^https:\/\//);
        expect(price.takenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(profile.models.some((model) => model.id === price.model)).toBe(true);
      }
    }
    expect(findPrice(deepseekProvider.prices, 'DeepSeek-Flash')?.model).toBe('deepseek-flash');
    expect(findPrice(kimiProvider.prices, 'kimi-k3')).toBeUndefined();
  });

  it("takes prices from the config file, before the profile's", () => {
    const file = parseConfigText(
      [
        '[providers.deepseek.prices."deepseek-flash"]',
        'input = 0.1',
        'cached_input = 0.01',
        'output = 0.2',
        'date = "2026-11-30"',
        '[providers.deepseek.prices."my-model"]',
        'input = 1',
        'output = 2',
      ].join('\n'),
      '/etc/relay.toml',
    );
    expect(file.providers[0]!.prices).toEqual([
      {
        model: 'deepseek-flash',
        inputPerMillion: 0.1,
        cachedInputPerMillion: 0.01,
        outputPerMillion: 0.2,
        source: '/etc/relay.toml',
        takenOn: '2026-11-30',
      },
      { model: 'my-model', inputPerMillion: 1, outputPerMillion: 2, source: '/etc/relay.toml', takenOn: '' },
    ]);
    const router = buildRouter({}, file, { DEEPSEEK_API_KEY: 'sk-test' }, { requireKeys: true });
    const prices = router.providers.get('deepseek')!.profile.prices;
    expect(findPrice(prices, 'deepseek-flash')?.inputPerMillion).toBe(0.1);
    expect(findPrice(prices, 'deepseek-v4-pro')?.source).toBe('https://api-docs.deepseek.com/quick_start/pricing');
    expect(() => parseConfigText('[providers.deepseek.prices.m]\ninput = -1\noutput = 1', '/etc/relay.toml')).toThrow(
      /providers\.deepseek\.prices\.m\.input/,
    );
    expect(() => parseConfigText('[providers.deepseek.prices.m]\ninput = 1', '/etc/relay.toml')).toThrow(/output/);
  });
});

describe('parseUsageQuery', () => {
  const now = Date.parse('2026-06-10T00:00:00Z');

  it('reads durations ago, ISO dates and Unix seconds', () => {
    expect(parseUsageQuery({ since: '7d', group_by: 'day' }, now)).toEqual({
      since: now - 7 * DAY,
      until: undefined,
      groupBy: 'day',
    });
    expect(parseUsageQuery({ since: '2026-06-01', until: '1790000000' }, now)).toEqual({
      since: Date.parse('2026-06-01'),
      until: 1_790_000_000_000,
      groupBy: undefined,
    });
  });

  it('names the parameter that is wrong', () => {
    expect(() => parseUsageQuery({ group_by: 'week' }, now)).toThrow(expect.objectContaining({ param: 'group_by' }));
    expect(() => parseUsageQuery({ until: 'soon' }, now)).toThrow(expect.objectContaining({ param: 'until' }));
    expect(() => parseUsageQuery({ since: '1d', until: '2d' }, now)).toThrow(
      expect.objectContaining({ param: 'since' }),
    );
  });
});

describe('clientOf', () => {
  it('knows Codex, Claude Code and the OpenAI SDKs by their user agent', () => {
    expect(clientOf('codex_exec/0.169.0 (Debian 12; x86_64) dumb (codex_exec; 0.169.0)')).toBe('codex');
    expect(clientOf('codex_cli_rs/0.128.0')).toBe('codex');
    expect(clientOf('claude-cli/2.1.0 (external, cli)')).toBe('claude-code');
    expect(clientOf('OpenAI/JS 6.49.0')).toBe('openai-sdk');
    expect(clientOf('OpenAI/Python 2.3.0')).toBe('openai-sdk');
    expect(clientOf('curl/8.5.0')).toBe('other');
    expect(clientOf(undefined)).toBe('other');
  });
});

describe('MemoryUsageLedger', () => {
  it('keeps the newest records within its capacity, in time order, and prunes old ones', async () => {
    const ledger = new MemoryUsageLedger(3);
    await ledger.record([1, 2, 3, 4, 5].map((minute) => record({ id: `r${minute}`, startedAt: T0 + minute * 60_000 })));
    expect((await ledger.query({})).map((entry) => entry.id)).toEqual(['r3', 'r4', 'r5']);
    expect((await ledger.query({ since: T0 + 4 * 60_000 })).map((entry) => entry.id)).toEqual(['r4', 'r5']);
    expect(await ledger.prune(T0 + 5 * 60_000)).toBe(2);
    expect((await ledger.query({})).map((entry) => entry.id)).toEqual(['r5']);
  });
});

describe('openUsageLedger', () => {
  it('keeps usage in memory for a store kind without a ledger, and says so once', () => {
    const warnings: unknown[] = [];
    const logger = { ...silentLogger(), warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger;
    const ledger = openUsageLedger({ kind: 'postgres' } as unknown as ResponseStore, logger);
    expect(ledger.kind).toBe('memory');
    expect(warnings).toHaveLength(1);
    expect(openUsageLedger({ kind: 'memory' } as unknown as ResponseStore, logger).kind).toBe('memory');
    expect(warnings).toHaveLength(1);
  });
});

describe('UsageRecorder', () => {
  it('shows turns live at once, writes them in one batch, and survives a failing ledger', async () => {
    const writes: number[] = [];
    let failing = false;
    const memory = new MemoryUsageLedger();
    const ledger: UsageLedger = {
      kind: 'test',
      record: async (records) => {
        if (failing) throw new Error('disk full');
        writes.push(records.length);
        await memory.record(records);
      },
      query: (range) => memory.query(range),
      prune: (before) => memory.prune(before),
      close: async () => undefined,
    };
    const recorder = new UsageRecorder({
      ledger,
      retentionMs: DAY,
      logger: silentLogger(),
      now: () => T0,
      flushDelayMs: 60_000,
    });
    const events: string[] = [];
    let ended = false;
    recorder.subscribe({ send: (event) => events.push(`${event.type} ${event.turn.key}`), end: () => (ended = true) });
    recorder.started({
      key: 'req_1',
      startedAt: T0,
      client: 'codex',
      transport: 'sse',
      provider: 'deepseek',
      requestedModel: 'codex',
      upstreamModel: 'deepseek-flash',
    });
    expect(recorder.liveTurns().map((turn) => [turn.key, turn.record === undefined])).toEqual([['req_1', true]]);
    recorder.finished('req_1', record({ id: 'resp_1' }));
    recorder.finished('req_2', record({ id: 'resp_2' }));
    expect(events).toEqual(['started req_1', 'finished req_1', 'finished req_2']);
    expect(recorder.liveTurns().map((turn) => turn.record?.id)).toEqual(['resp_1', 'resp_2']);
    expect(writes).toEqual([]);
    expect((await recorder.query({})).map((entry) => entry.id)).toEqual(['resp_1', 'resp_2']);
    expect(writes).toEqual([2]);

    failing = true;
    recorder.finished('req_3', record({ id: 'resp_3' }));
    await recorder.flush();
    expect(recorder.writeFailures).toBe(1);
    await recorder.close();
    expect(ended).toBe(true);
  });
});
