/**
 * The usage ledger and GET /v1/usage against known traffic from a mock
 * upstream: streamed and not, completed and failed, the figures equal what
 * the upstream reported, and with SQLite they survive a restart. The
 * `usage` command reads the same figures from the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runUsage } from '../../src/cli/usage-command.js';
import { silentLogger } from '../../src/log.js';
import { defineProvider } from '../../src/providers/define-provider.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { openResponseStore } from '../../src/store/open-store.js';
import type { ResponseStore } from '../../src/store/types.js';
import { openUsageLedger } from '../../src/usage/open-ledger.js';
import { answerAfter, createGate, postResponse, readUntil, until } from '../faults/support.js';
import {
  finishChunk,
  type MockReply,
  type MockUpstream,
  startMockUpstream,
  textChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse, startTestRelay } from '../support/relay.js';

const PRICED = defineProvider({
  id: 'priced',
  displayName: 'Priced',
  prices: [
    {
      model: 'priced-model',
      inputPerMillion: 2,
      cachedInputPerMillion: 0.5,
      outputPerMillion: 8,
      source: 'test',
      takenOn: '2026-01-01',
    },
  ],
});

let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
let store: ResponseStore | undefined;
let directory: string | undefined;

afterEach(async () => {
  await relay?.close();
  await store?.close();
  await upstream?.close();
  if (directory) rmSync(directory, { recursive: true, force: true });
  relay = store = upstream = directory = undefined;
});

/** Replies by the request's first input text: the test says what each turn gets. */
function reply(text: string): MockReply {
  if (text === 'rate limited')
    return { kind: 'json', status: 429, body: { error: { message: 'slow down', type: 'rate_limit_error' } } };
  if (text === 'broken') return { kind: 'sse', chunks: [...textChunks('half'), 'this is not json'] };
  if (text === 'long') return { kind: 'sse', chunks: [...textChunks('cut'), finishChunk('length'), usageChunk(70, 5)] };
  return {
    kind: 'sse',
    chunks: [
      ...textChunks('hello ', 'there'),
      finishChunk('stop'),
      usageChunk(1000, 200, {
        prompt_tokens_details: { cached_tokens: 600 },
        completion_tokens_details: { reasoning_tokens: 50 },
      }),
    ],
  };
}

async function startWithSqlite(path: string): Promise<RunningRelay> {
  store = openResponseStore({ kind: 'sqlite', path, ttlMs: 60_000, maxBytes: 1024 * 1024 });
  return startTestRelay(upstream!.baseUrl, {
    profile: PRICED,
    store,
    server: { usageLedger: openUsageLedger(store, silentLogger()) },
  });
}

async function usage(url: string, query = ''): Promise<Record<string, any>> {
  const response = await fetch(`${url}/v1/usage${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
}

describe('the usage ledger', () => {
  it('counts what the upstream reported, streamed and not, failures included, and keeps it across a restart', async () => {
    upstream = await startMockUpstream((request) => reply(String(request.body.messages.at(-1).content)));
    directory = mkdtempSync(join(tmpdir(), 'relay-usage-'));
    const path = join(directory, 'sessions.db');
    relay = await startWithSqlite(path);

    const codex = { 'user-agent': 'codex_exec/0.169.0 (Debian; x86_64)' };
    await readSse(await postResponse(relay.url, { model: 'priced-model', input: 'hi', stream: true }, codex));
    const json = await postResponse(
      relay.url,
      { model: 'priced-model', input: 'hi' },
      { 'user-agent': 'OpenAI/JS 6.49.0' },
    );
    expect(json.status).toBe(200);
    expect((await postResponse(relay.url, { model: 'priced-model', input: 'rate limited' })).status).toBe(429);
    const broken = await readSse(
      await postResponse(relay.url, { model: 'priced-model', input: 'broken', stream: true }, codex),
    );
    expect(broken.at(-1)!.type).toBe('response.failed');
    await readSse(await postResponse(relay.url, { model: 'unpriced-model', input: 'long', stream: true }, codex));

    const summary = await usage(relay.url, '?group_by=model');
    // Two answers of 1000 in (600 cached) / 200 out (50 reasoning), one cut off at 70 / 5.
    const totals = summary.totals;
    expect(totals).toMatchObject({
      turns: 5,
      completed: 2,
      incomplete: 1,
      failed: 2,
      client_gone: 0,
      input_tokens: 2070,
      cached_input_tokens: 1200,
      output_tokens: 405,
      reasoning_tokens: 100,
      unpriced_turns: 1,
      errors: { rate_limit_exceeded: 1, server_error: 1 },
    });
    // Per answer: 400 uncached × $2 + 600 cached × $0.50 + 200 out × $8, per million; cache saved 600 × $1.50.
    const perAnswer = (400 * 2 + 600 * 0.5 + 200 * 8) / 1e6;
    expect(totals.cost_usd).toBeCloseTo(2 * perAnswer, 10);
    expect(totals.saved_usd).toBeCloseTo((2 * 600 * 1.5) / 1e6, 10);
    expect(totals.latency_ms.total.p50).toBeGreaterThanOrEqual(0);
    expect(totals.latency_ms.first_token).not.toBeNull();
    expect(summary.groups.map((group: { key: string; turns: number }) => [group.key, group.turns])).toEqual([
      ['priced/priced-model', 4],
      ['priced/unpriced-model', 1],
    ]);
    expect(summary.groups[1].cost_usd).toBeNull();

    const byClient = await usage(relay.url, '?group_by=client');
    expect(
      Object.fromEntries(byClient.groups.map((group: { key: string; turns: number }) => [group.key, group.turns])),
    ).toEqual({ codex: 3, 'openai-sdk': 1, other: 1 });

    // A restart: the same figures from the file.
    await relay.close();
    await store!.close();
    relay = await startWithSqlite(path);
    const again = await usage(relay.url, '?group_by=model');
    expect(again.totals).toEqual(totals);

    // The command line reads the same file.
    const printed = JSON.parse(await runUsage({ storePath: path, by: 'model', json: true }, {}));
    expect(printed.totals).toEqual(totals);
    const table = await runUsage({ storePath: path, by: 'provider', json: false }, {});
    expect(table).toMatch(/^PROVIDER\s+TURNS/m);
    expect(table).toMatch(/^priced\s+5\s+2\s+2,070\s+1,200\s+405\s+100\s+\$0\.0054\+/m);
    expect(table).toMatch(/1 turns have no known price/);

    // A range that ends before the traffic holds nothing.
    expect((await usage(relay.url, '?until=2000-01-01')).totals.turns).toBe(0);
  });

  it('records a turn whose client left as client_gone, with the time to its first token', async () => {
    const gate = createGate();
    upstream = await startMockUpstream(() => ({
      kind: 'custom',
      handle: (_request, response) => answerAfter(gate.opened, response),
    }));
    relay = await startTestRelay(upstream.baseUrl);
    const controller = new AbortController();
    const response = await postResponse(relay.url, { model: 'm', input: 'hi', stream: true }, {}, controller.signal);
    const reader = response.body!.getReader();
    await readUntil(reader, 'response.output_text.delta');
    controller.abort();
    await until(async () => (await usage(relay!.url)).totals.turns === 1, 'the abandoned turn to be recorded');
    gate.open();
    const { totals } = await usage(relay.url);
    expect(totals).toMatchObject({ turns: 1, client_gone: 1, failed: 0, errors: {} });
    expect(totals.latency_ms.first_token).not.toBeNull();
  });

  it('records Anthropic Messages and Chat Completions turns with their dialect, client and tokens', async () => {
    upstream = await startMockUpstream(() => reply('hi'));
    relay = await startTestRelay(upstream.baseUrl);
    const post = (path: string, body: unknown, userAgent: string) =>
      fetch(`${relay!.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': userAgent },
        body: JSON.stringify(body),
      });
    const message = { model: 'm', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
    const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
    for (const response of [
      await post('/v1/messages', { ...message, stream: true }, 'claude-cli/2.1.332 (external, sdk-cli)'),
      await post('/v1/messages', message, 'claude-cli/2.1.332 (external, sdk-cli)'),
      await post('/v1/chat/completions', { ...chat, stream: true }, 'OpenAI/JS 6.49.0'),
      await post('/v1/chat/completions', chat, 'OpenAI/JS 6.49.0'),
    ]) {
      expect(response.status).toBe(200);
      await response.text();
    }
    await until(async () => (await usage(relay!.url)).totals.turns === 4, 'the four turns to be recorded');

    const live = await fetch(`${relay.url}/dashboard/api/live`);
    const liveReader = live.body!.getReader();
    const snapshot = await readUntil(liveReader, 'event: snapshot');
    await liveReader.cancel();
    const turns = (
      JSON.parse(
        snapshot
          .split('\n')
          .find((line) => line.startsWith('data: '))!
          .slice('data: '.length),
      ) as { turns: { record: Record<string, unknown> }[] }
    ).turns;
    const records = turns.map((turn) => turn.record);
    expect(records.map((record) => [record.transport, record.client])).toEqual([
      ['messages-sse', 'claude-code'],
      ['messages-json', 'claude-code'],
      ['chat-sse', 'openai-sdk'],
      ['chat-json', 'openai-sdk'],
    ]);
    for (const record of records) {
      expect(record).toMatchObject({
        outcome: 'completed',
        inputTokens: 1000,
        cachedInputTokens: 600,
        outputTokens: 200,
      });
      expect(record.firstTokenMs).not.toBeNull();
    }
  });

  it('refuses a bad grouping or time with a 400 naming the parameter', async () => {
    upstream = await startMockUpstream(() => reply('hi'));
    relay = await startTestRelay(upstream.baseUrl);
    for (const [query, param] of [
      ['?group_by=colour', 'group_by'],
      ['?since=yesterday', 'since'],
      ['?since=2026-02-01&until=2026-01-01', 'since'],
    ]) {
      const response = await fetch(`${relay.url}/v1/usage${query}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string; code: string } }).error).toMatchObject({
        param,
        code: 'invalid_value',
      });
    }
  });
});

describe('the live list', () => {
  it('streams a snapshot, then each turn as it starts and finishes, and ends when the relay shuts down', async () => {
    upstream = await startMockUpstream(() => reply('hi'));
    relay = await startTestRelay(upstream.baseUrl);
    const live = await fetch(`${relay.url}/dashboard/api/live`);
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = live.body!.getReader();
    let text = await readUntil(reader, 'event: snapshot');
    await readSse(
      await postResponse(relay.url, { model: 'm', input: 'hi', stream: true }, { 'user-agent': 'codex_exec/0.169.0' }),
    );
    if (!text.includes('event: finished')) text += await readUntil(reader, 'event: finished');
    const events = text.split('\n\n').filter((block) => block.startsWith('event: '));
    expect(events.map((block) => block.split('\n')[0])).toEqual([
      'event: snapshot',
      'event: started',
      'event: finished',
    ]);
    const finished = JSON.parse(events[2]!.split('\n')[1]!.slice('data: '.length));
    expect(finished.record).toMatchObject({
      client: 'codex',
      outcome: 'completed',
      inputTokens: 1000,
      cachedInputTokens: 600,
      outputTokens: 200,
      reasoningTokens: 50,
    });
    // A grace period longer than the test: the shutdown ends only because it closes the live stream itself.
    await relay.shutdown({ graceMs: 120_000 });
    expect((await reader.read()).done).toBe(true);
  });
});

describe('dashboard access with a token', () => {
  it('serves the page openly, and its data only with the token or the session cookie set by the token', async () => {
    upstream = await startMockUpstream(() => reply('hi'));
    relay = await startTestRelay(upstream.baseUrl, { server: { authToken: 'relay-token-123' } });
    const page = await fetch(`${relay.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${relay.url}/v1/usage`)).status).toBe(401);
    expect((await fetch(`${relay.url}/dashboard/api/overview`)).status).toBe(401);
    expect(
      (await fetch(`${relay.url}/v1/usage`, { headers: { authorization: 'Bearer relay-token-123' } })).status,
    ).toBe(200);

    const login = (token: string, origin?: string) =>
      fetch(`${relay!.url}/dashboard/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
        body: JSON.stringify({ token }),
      });
    expect((await login('wrong')).status).toBe(401);
    expect((await login('relay-token-123', 'http://evil.example')).status).toBe(403);
    const accepted = await login('relay-token-123', relay.url);
    expect(accepted.status).toBe(204);
    const cookie = accepted.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain('relay-token-123');
    const session = cookie.split(';')[0]!;
    expect((await fetch(`${relay.url}/dashboard/api/overview`, { headers: { cookie: session } })).status).toBe(200);
    // The cookie opens the dashboard's data, not the API.
    expect((await fetch(`${relay.url}/v1/usage`, { headers: { cookie: session } })).status).toBe(401);
    expect(
      (await fetch(`${relay.url}/dashboard/api/overview`, { headers: { cookie: 'relay_dashboard=forged' } })).status,
    ).toBe(401);
  });
});
