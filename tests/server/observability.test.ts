/** Logs, probes and metrics: what an operator sees, and what never shows up there (content, keys). */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { metricValue, postResponse } from '../faults/support.js';
import { captureLogs } from '../support/capture-logs.js';
import {
  deltaChunk,
  finishChunk,
  type MockReply,
  type MockUpstream,
  textChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse, type TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

const UPSTREAM_KEY = 'sk-upstream-secret-4f9a8b7c6d5e';
const PROMPT = 'the secret plan is purple elephants';

async function setup(reply: (index: number) => MockReply, options: TestRelayOptions = {}) {
  upstream = await servers.mockUpstream((_request, index) => reply(index));
  relay = await servers.relay(upstream.baseUrl, { apiKey: UPSTREAM_KEY, ...options });
  return relay;
}

const answer: MockReply = {
  kind: 'sse',
  chunks: [
    ...textChunks('purple ', 'elephants'),
    finishChunk('stop'),
    usageChunk(40, 9, {
      prompt_tokens_details: { cached_tokens: 16 },
      completion_tokens_details: { reasoning_tokens: 3 },
    }),
  ],
};

describe('logs', () => {
  it('writes one JSON line per response with the request id, provider, model, status, latency and tokens, and no content', async () => {
    const logs = captureLogs([UPSTREAM_KEY]);
    await setup(() => answer, { logger: logs.logger });
    const response = await postResponse(
      relay!.url,
      { model: 'codex-model', input: PROMPT, stream: true },
      { 'x-request-id': 'trace-42' },
    );
    await readSse(response);
    await relay!.close();
    const finished = logs.records().find((record) => record.msg === 'response finished');
    expect(finished).toMatchObject({
      requestId: 'trace-42',
      provider: 'generic',
      model: 'codex-model',
      status: 'completed',
      inputTokens: 40,
      outputTokens: 9,
      reasoningTokens: 3,
      cachedTokens: 16,
    });
    expect(typeof finished!.ms).toBe('number');
    expect(finished!.responseId).toMatch(/^resp_/);
    // Every line about the request carries its id; nothing carries what was said.
    for (const record of logs
      .records()
      .filter((line) => line.msg !== 'shutting down: waiting for responses in flight')) {
      if ('provider' in record || 'path' in record) expect(record.requestId).toBe('trace-42');
    }
    expect(logs.lines.join('\n')).not.toContain('purple');
  });

  it('logs request and response content only with --log-content', async () => {
    const logs = captureLogs([]);
    await setup(() => answer, { logger: logs.logger, server: { logContent: true } });
    await readSse(await postResponse(relay!.url, { model: 'm', input: PROMPT, stream: true }));
    await relay!.close();
    const finished = logs.records().find((record) => record.msg === 'response finished')!;
    expect(JSON.stringify(finished.input)).toContain(PROMPT);
    expect(JSON.stringify(finished.output)).toContain('elephants');
  });

  it('logs other requests with their status and error code, but not the error message', async () => {
    const logs = captureLogs([]);
    await setup(() => answer, { logger: logs.logger });
    await postResponse(relay!.url, `{"model": "m", "input": "${PROMPT}`, { 'x-request-id': 'bad-json' });
    await relay!.close();
    const finished = logs
      .records()
      .find((record) => record.msg === 'request finished' && record.requestId === 'bad-json');
    expect(finished).toMatchObject({ method: 'POST', path: '/v1/responses', status: 400, errorCode: 'invalid_json' });
    expect(logs.lines.join('\n')).not.toContain('purple');
  });
});

describe('upstream keys', () => {
  it('never reach a client or a log line, even when the upstream echoes them', async () => {
    const logs = captureLogs([UPSTREAM_KEY]);
    await setup(
      (index) =>
        index === 0
          ? { kind: 'json', status: 401, body: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}.` } } }
          : {
              kind: 'sse',
              chunks: [
                deltaChunk({ content: 'half' }),
                { error: { message: `upstream failure for key ${UPSTREAM_KEY}` } },
              ],
            },
      { logger: logs.logger },
    );
    const rejected = await postResponse(relay!.url, { model: 'm', input: 'hi', stream: true });
    expect(rejected.status).toBe(200);
    const body = await rejected.text();
    expect(body).toContain('response.failed');
    expect(body).toContain('Incorrect API key provided: [redacted]');
    expect(body).not.toContain(UPSTREAM_KEY);

    const failed = await readSse(await postResponse(relay!.url, { model: 'm', input: 'hi', stream: true }));
    expect(failed.at(-1)!.type).toBe('response.failed');
    expect(failed.at(-1)!.response.error.message).toContain('[redacted]');
    expect(JSON.stringify(failed)).not.toContain(UPSTREAM_KEY);

    const metrics = await (await fetch(`${relay!.url}/metrics`)).text();
    await relay!.close();
    expect(metrics).not.toContain(UPSTREAM_KEY);
    expect(logs.lines.some((line) => line.includes('[redacted]'))).toBe(true);
    expect(logs.lines.join('\n')).not.toContain(UPSTREAM_KEY);
    // The key did reach the upstream, where it belongs.
    expect(upstream!.requests[0]!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });
});

describe('probes', () => {
  it('reports ready while the store answers and not ready, naming the store, once it does not', async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
    await setup(() => answer, { store });
    const ready = await fetch(`${relay!.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', config: 'ok', accepting: 'ok' } });
    await store.close();
    const notReady = await fetch(`${relay!.url}/readyz`);
    expect(notReady.status).toBe(503);
    const body = (await notReady.json()) as any;
    expect(body.status).toBe('not_ready');
    expect(body.checks.store).toContain('closed');
    expect((await fetch(`${relay!.url}/healthz`)).status).toBe(200);
  });
});

describe('metrics', () => {
  it('counts requests, latency, tokens, upstream errors, active streams and the store in Prometheus format', async () => {
    await setup(
      (index) => (index === 1 ? { kind: 'json', status: 500, body: { error: { message: 'boom' } } } : answer),
      { server: { processMetrics: true } },
    );
    await readSse(await postResponse(relay!.url, { model: 'codex-model', input: 'one', stream: true }));
    await readSse(await postResponse(relay!.url, { model: 'codex-model', input: 'two', stream: true }));
    await postResponse(relay!.url, { input: 'no model' });
    const response = await fetch(`${relay!.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const labels = { provider: 'generic', model: 'codex-model' };
    expect(
      metricValue(text, 'responses_relay_requests_total', { route: '/v1/responses', ...labels, status: 'completed' }),
    ).toBe(1);
    expect(
      metricValue(text, 'responses_relay_requests_total', { route: '/v1/responses', ...labels, status: 'failed' }),
    ).toBe(1);
    expect(metricValue(text, 'responses_relay_requests_total', { route: '/v1/responses', status: '400' })).toBe(1);
    expect(metricValue(text, 'responses_relay_upstream_first_byte_seconds_count', labels)).toBe(1);
    expect(
      metricValue(text, 'responses_relay_response_duration_seconds_count', { ...labels, status: 'completed' }),
    ).toBe(1);
    expect(metricValue(text, 'responses_relay_tokens_total', { ...labels, kind: 'input' })).toBe(40);
    expect(metricValue(text, 'responses_relay_tokens_total', { ...labels, kind: 'output' })).toBe(9);
    expect(metricValue(text, 'responses_relay_tokens_total', { ...labels, kind: 'reasoning' })).toBe(3);
    expect(metricValue(text, 'responses_relay_tokens_total', { ...labels, kind: 'cached' })).toBe(16);
    expect(
      metricValue(text, 'responses_relay_upstream_errors_total', { provider: 'generic', code: 'server_error' }),
    ).toBe(1);
    expect(metricValue(text, 'responses_relay_active_streams')).toBe(0);
    expect(metricValue(text, 'responses_relay_queued_requests')).toBe(0);
    expect(metricValue(text, 'responses_relay_store_bytes')).toBeGreaterThan(0);
    expect(metricValue(text, 'responses_relay_store_write_failures_total')).toBe(0);
    expect(text).toContain('# TYPE responses_relay_upstream_retries_total counter');
    expect(metricValue(text, 'responses_relay_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts the store’s failed writes', async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
    store.save = async () => {
      throw new Error('disk full');
    };
    await setup(() => answer, { store });
    await readSse(await postResponse(relay!.url, { model: 'm', input: 'one', stream: true }));
    await relay!.history.close();
    const text = await (await fetch(`${relay!.url}/metrics`)).text();
    expect(metricValue(text, 'responses_relay_store_write_failures_total')).toBe(1);
  });
});
