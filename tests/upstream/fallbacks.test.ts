/**
 * Retries and fallbacks before the first byte, over real loopback upstreams:
 * the relay in front of two scripted providers, one route with a fallback.
 */

import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { genericProvider } from '../../src/providers/generic.js';
import { ModelRouter, type ResolvedRoute } from '../../src/routing/router.js';
import { type RunningRelay, startRelayServer } from '../../src/server/start-server.js';
import { type FailedAttempt, openWithFallbacks } from '../../src/upstream/open-with-fallbacks.js';
import { sharedDispatcher } from '../../src/upstream/upstream-dispatcher.js';
import {
  deltaChunk,
  finishChunk,
  type MockReply,
  type MockUpstream,
  startMockUpstream,
  textChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();

async function upstream(reply: (index: number) => MockReply): Promise<MockUpstream> {
  return servers.mockUpstream((_, index) => reply(index));
}

/** A loopback URL where nothing listens (a server that was started and closed). */
async function deadUrl(): Promise<string> {
  const closed = await startMockUpstream(() => ({ kind: 'json', status: 200, body: {} }));
  await closed.close();
  return closed.baseUrl;
}

const FAST_RETRIES = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 5_000 };

/** The relay with a `primary` and a `backup` provider and the alias `coder` → primary, falling back to backup. */
async function relayWithFallback(
  primaryUrl: string,
  backupUrl: string,
  backupProfile = genericProvider,
): Promise<RunningRelay> {
  const router = new ModelRouter(
    [
      { name: 'primary', profile: genericProvider, endpoint: { baseUrl: primaryUrl, apiKey: 'sk-primary' } },
      { name: 'backup', profile: backupProfile, endpoint: { baseUrl: backupUrl, apiKey: 'sk-backup' } },
    ],
    'primary',
    new Map([
      [
        'coder',
        { provider: 'primary', model: 'primary-model', fallbacks: [{ provider: 'backup', model: 'deepseek-v4-pro' }] },
      ],
    ]),
  );
  const relay = await startRelayServer({
    host: '127.0.0.1',
    port: 0,
    router,
    logger: silentLogger(),
    retryPolicy: FAST_RETRIES,
  });
  servers.track(relay);
  return relay;
}

function post(relay: RunningRelay, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${relay.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const ok = (text: string): MockReply => ({ kind: 'sse', chunks: [...textChunks(text), finishChunk('stop')] });

describe('retries before the first byte', () => {
  it('retries a 429 on the same route and answers from the second attempt', async () => {
    const primary = await upstream((index) =>
      index === 0
        ? { kind: 'json', status: 429, headers: { 'retry-after-ms': '20' }, body: { error: { message: 'slow down' } } }
        : ok('second try'),
    );
    const backup = await upstream(() => ok('backup'));
    const relay = await relayWithFallback(primary.baseUrl, backup.baseUrl);
    const events = await readSse(await post(relay, { model: 'coder', input: 'hi', stream: true }));
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.at(-1)!.response.output[0].content[0].text).toBe('second try');
    expect(primary.requests).toHaveLength(2);
    expect(backup.requests).toHaveLength(0);
    // Nothing of the failed attempt reached the client: one created event, one response.
    expect(events.filter((event) => event.type === 'response.created')).toHaveLength(1);
  });

  it("honours Retry-After and gives up on 500s after the policy's retries, reporting the last failure", async () => {
    const only = await upstream((index) => ({
      kind: 'json',
      status: 500,
      headers: { 'retry-after-ms': '30' },
      body: { error: { message: `boom ${index}` } },
    }));
    const route: ResolvedRoute = {
      provider: { name: 'only', profile: genericProvider, endpoint: { baseUrl: only.baseUrl, apiKey: undefined } },
      upstreamModel: 'm',
      fallbacks: [],
    };
    const dispatcher = new Agent();
    servers.track(dispatcher);
    const attempts: FailedAttempt[] = [];
    const result = await openWithFallbacks({
      dispatcher: sharedDispatcher(dispatcher),
      route,
      prepare: () => ({ body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true } }),
      signal: new AbortController().signal,
      timeouts: { connectMs: 5_000, firstByteMs: 5_000, idleMs: 5_000, totalMs: 60_000 },
      retryPolicy: FAST_RETRIES,
      now: Date.now,
      onFailedAttempt: (attempt) => attempts.push(attempt),
    });
    expect(result.ok).toBe(false);
    expect(only.requests).toHaveLength(3);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.next, attempt.delayMs])).toEqual([
      [1, 'retry', 30],
      [2, 'retry', 30],
      [3, 'give-up', undefined],
    ]);
    if (!result.ok)
      expect(result.failure).toMatchObject({ code: 'server_error', message: expect.stringContaining('boom 2') });
  });

  it('answers a route that keeps failing with response.failed once retries and fallbacks are used up', async () => {
    const primary = await upstream(() => ({ kind: 'json', status: 500, body: { error: { message: 'primary down' } } }));
    const backup = await upstream(() => ({
      kind: 'json',
      status: 502,
      body: { error: { message: 'backup down too' } },
    }));
    const relay = await relayWithFallback(primary.baseUrl, backup.baseUrl);
    const events = await readSse(await post(relay, { model: 'coder', input: 'hi', stream: true }));
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(events[2]!.response.error).toMatchObject({
      code: 'server_error',
      message: expect.stringContaining('backup down too'),
    });
    expect(primary.requests).toHaveLength(3);
    expect(backup.requests).toHaveLength(3);
  });
});

describe('fallbacks', () => {
  it('falls back to a second provider when the first cannot be reached, translating for that provider', async () => {
    const backup = await upstream(() => ({
      kind: 'sse',
      chunks: [
        ...textChunks('from the backup'),
        finishChunk('stop'),
        usageChunk(100, 5, { prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 }),
      ],
    }));
    const relay = await relayWithFallback(await deadUrl(), backup.baseUrl, deepseekProvider);
    const response = await post(relay, { model: 'coder', input: 'hi', reasoning: { effort: 'high' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body.output[0].content[0].text).toBe('from the backup');
    // The request was built for DeepSeek (its thinking switch, its key) ...
    expect(backup.requests).toHaveLength(1);
    expect(backup.requests[0]!.body).toMatchObject({
      model: 'deepseek-v4-pro',
      thinking: { type: 'enabled' },
      reasoning_effort: 'high',
    });
    expect(backup.requests[0]!.headers.authorization).toBe('Bearer sk-backup');
    // ... and its answer read with DeepSeek's usage fields.
    expect(body.usage.input_tokens_details.cached_tokens).toBe(60);
    // The model name the client sent is what it gets back.
    expect(body.model).toBe('coder');
  });

  it('falls back when the first provider refuses the key, but not when the request itself is refused', async () => {
    const primary = await upstream((index) =>
      index === 0
        ? { kind: 'json', status: 401, body: { error: { message: 'bad key' } } }
        : { kind: 'json', status: 400, body: { error: { message: 'messages: invalid role' } } },
    );
    const backup = await upstream(() => ok('backup answered'));
    const relay = await relayWithFallback(primary.baseUrl, backup.baseUrl);

    const first = await readSse(await post(relay, { model: 'coder', input: 'hi', stream: true }));
    expect(first.at(-1)!.response.output[0].content[0].text).toBe('backup answered');
    expect(backup.requests).toHaveLength(1);

    const second = (await readSse(await post(relay, { model: 'coder', input: 'hi', stream: true }))).at(-1)!;
    expect(second.response.error.code).toBe('invalid_prompt');
    expect(second.response.error.message).toContain('invalid role');
    expect(backup.requests).toHaveLength(1);
  });

  it('does not fall back once the first byte reached the client', async () => {
    const primary = await upstream(() => ({
      kind: 'custom',
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify(deltaChunk({ role: 'assistant', content: 'half an ans' }))}\n\n`);
        setTimeout(() => response.socket?.destroy(), 20);
      },
    }));
    const backup = await upstream(() => ok('backup'));
    const relay = await relayWithFallback(primary.baseUrl, backup.baseUrl);
    const events = await readSse(await post(relay, { model: 'coder', input: 'hi', stream: true }));
    expect(events.some((event) => event.type === 'response.output_text.delta' && event.delta === 'half an ans')).toBe(
      true,
    );
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
  });

  it('sends names without an alias to the default provider only', async () => {
    const primary = await upstream(() => ({ kind: 'json', status: 503, body: { error: { message: 'overloaded' } } }));
    const backup = await upstream(() => ok('backup'));
    const relay = await relayWithFallback(primary.baseUrl, backup.baseUrl);
    const events = await readSse(await post(relay, { model: 'some-model', input: 'hi', stream: true }));
    expect(events.at(-1)!.response.error.code).toBe('server_error');
    expect(primary.requests).toHaveLength(3);
    expect(backup.requests).toHaveLength(0);
  });
});
