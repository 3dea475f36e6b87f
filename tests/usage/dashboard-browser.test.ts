/**
 * The dashboard in a real headless Chromium (Debian's package, installed by
 * tests/support/chromium.ts when missing), driven by puppeteer-core: the
 * token is entered once, the page loads without console errors, shows the
 * figures GET /v1/usage reports, and a turn made during the test with the
 * official OpenAI SDK appears in the live list while in flight and when it
 * ends. A screenshot is written to .tmp/artifacts/dashboard.png.
 */
import { mkdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import OpenAI from 'openai';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineProvider } from '../../src/providers/define-provider.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { createGate, postResponse } from '../faults/support.js';
import { ensureChromium } from '../support/chromium.js';
import {
  deltaChunk,
  finishChunk,
  type MockReply,
  type MockUpstream,
  startMockUpstream,
  textChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse, startTestRelay } from '../support/relay.js';

const TOKEN = 'dashboard-test-token';
const ARTIFACTS = join(process.cwd(), '.tmp', 'artifacts');
const WAIT = { timeout: 15_000 };

const PROFILE = defineProvider({
  id: 'deepseek-test',
  displayName: 'DeepSeek (test)',
  prices: [
    {
      model: 'deepseek-flash',
      inputPerMillion: 0.3,
      cachedInputPerMillion: 0.006,
      outputPerMillion: 1.2,
      source: 'test',
      takenOn: '2026-01-01',
    },
  ],
});

let upstream: MockUpstream;
let relay: RunningRelay;
let browser: Browser;
const held = createGate();

function answer(input: number, cached: number, output: number): MockReply {
  return {
    kind: 'sse',
    chunks: [
      ...textChunks('fine ', 'thanks'),
      finishChunk('stop'),
      usageChunk(input, output, { prompt_tokens_details: { cached_tokens: cached } }),
    ],
  };
}

/** An answer that starts, waits for the test, then ends with usage. */
async function heldAnswer(response: ServerResponse): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(`data: ${JSON.stringify(deltaChunk({ role: 'assistant', content: 'working' }))}\n\n`);
  await held.opened;
  if (response.destroyed) return;
  response.write(
    `data: ${JSON.stringify(finishChunk('stop'))}\n\ndata: ${JSON.stringify(usageChunk(5000, 120, { prompt_tokens_details: { cached_tokens: 4096 } }))}\n\ndata: [DONE]\n\n`,
  );
  response.end();
}

beforeAll(async () => {
  const executablePath = ensureChromium();
  upstream = await startMockUpstream((request) => {
    const text = String(request.body.messages.at(-1).content);
    if (text === 'hold') return { kind: 'custom', handle: (_incoming, response) => heldAnswer(response) };
    if (text === 'fail') return { kind: 'json', status: 429, body: { error: { message: 'slow down' } } };
    return text === 'big' ? answer(120_000, 98_304, 2_400) : answer(3_000, 0, 300);
  });
  relay = await startTestRelay(upstream.baseUrl, { profile: PROFILE, server: { authToken: TOKEN } });
  const headers = { authorization: `Bearer ${TOKEN}`, 'user-agent': 'codex_exec/0.169.0 (Debian; x86_64)' };
  await readSse(await postResponse(relay.url, { model: 'deepseek-flash', input: 'big', stream: true }, headers));
  await readSse(await postResponse(relay.url, { model: 'deepseek-flash', input: 'small', stream: true }, headers));
  expect((await postResponse(relay.url, { model: 'deepseek-flash', input: 'fail' }, headers)).status).toBe(429);
  browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, 600_000);

afterAll(async () => {
  held.open();
  await browser?.close();
  await relay?.close();
  await upstream?.close();
});

async function figure(page: Page, name: string): Promise<string | null> {
  return page.$eval(`[data-figure="${name}"]`, (element) => element.getAttribute('data-value'));
}

describe('the dashboard in a real browser', () => {
  it('asks for the token once, shows the /v1/usage figures and a turn made during the test live', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));

    await page.goto(`${relay.url}/dashboard`, { waitUntil: 'load' });
    // Without the cookie the page asks for the token (without a failed request first).
    await page.waitForSelector('#login:not([hidden])', WAIT);
    await page.type('#token', TOKEN);
    await page.click('#login button');
    await page.waitForSelector('#content:not([hidden])', WAIT);
    await page.waitForFunction("document.querySelector('#connection').textContent === 'live'", WAIT);

    const usage = (await (
      await fetch(`${relay.url}/v1/usage?since=7d`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { totals: Record<string, any> };
    const totals = usage.totals;
    expect(totals.turns).toBe(3);
    expect(await figure(page, 'turns')).toBe(String(totals.turns));
    expect(await figure(page, 'input_tokens')).toBe(String(totals.input_tokens));
    expect(await figure(page, 'cached_input_tokens')).toBe(String(totals.cached_input_tokens));
    expect(await figure(page, 'output_tokens')).toBe(String(totals.output_tokens));
    expect(await figure(page, 'cost_usd')).toBe(String(totals.cost_usd));
    expect(await figure(page, 'saved_usd')).toBe(String(totals.saved_usd));
    expect(await figure(page, 'failed')).toBe('1');
    expect(await page.$eval('#errors tbody', (body) => body.textContent)).toContain('rate_limit_exceeded');
    expect(await page.$eval('#by-model tbody', (body) => body.textContent)).toContain('deepseek-test/deepseek-flash');
    expect(await page.$$eval('#timeline rect', (rects) => rects.length)).toBeGreaterThan(0);

    // A turn through the official SDK: in the live list while it runs, then finished, and counted.
    const client = new OpenAI({ apiKey: TOKEN, baseURL: `${relay.url}/v1` });
    const turn = (async () => {
      const stream = await client.responses.create({ model: 'deepseek-flash', input: 'hold', stream: true });
      for await (const event of stream) if (event.type === 'response.completed') return event.response.id;
      return undefined;
    })();
    await page.waitForFunction(
      "[...document.querySelectorAll('#live tbody td')].some((cell) => cell.textContent === 'in progress')",
      WAIT,
    );
    await page.screenshot({ path: screenshotPath('dashboard-in-flight.png') });
    held.open();
    expect(await turn).toMatch(/^resp_/);
    await page.waitForFunction(
      `document.querySelector('[data-figure="turns"]').getAttribute('data-value') === '4'`,
      WAIT,
    );
    const rows = await page.$$eval('#live tbody tr', (elements) =>
      elements.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)),
    );
    expect(rows).toHaveLength(4);
    expect(rows[0]!.slice(1, 7)).toEqual([
      'openai-sdk',
      'responses sse',
      'deepseek-flash',
      'deepseek-test/deepseek-flash',
      'completed',
      '5,000 / 120',
    ]);
    await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });

    await page.close();
    expect(problems).toEqual([]);
  });
});

function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
