/**
 * Clients that go away at every stage of a turn: while waiting for an
 * upstream slot, before the upstream answered, and in the middle of the
 * stream (the last is also in tests/http/client-abort.test.ts). The upstream
 * request never outlives its client, and the slot always comes back.
 */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { finishChunk, type MockReply, type MockUpstream, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';
import { answerAfter, failOnProcessErrors, metricValue, postResponse, readUntil, until } from './support.js';

const servers = useTestServers('never');
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
failOnProcessErrors(() => servers.closeAll());

const never = new Promise<void>(() => undefined);
const answer: MockReply = { kind: 'sse', chunks: [...textChunks('fine'), finishChunk('stop')] };

async function gauges(): Promise<{
  active: number | undefined;
  queued: number | undefined;
  aborted: number | undefined;
}> {
  const text = await (await fetch(`${relay!.url}/metrics`)).text();
  return {
    active: metricValue(text, 'responses_relay_active_streams'),
    queued: metricValue(text, 'responses_relay_queued_requests'),
    aborted: metricValue(text, 'responses_relay_requests_total', { route: '/v1/responses', status: 'aborted' }),
  };
}

describe('a client that disconnects', () => {
  it('while waiting for a slot leaves the queue and never reaches the upstream', async () => {
    upstream = await servers.mockUpstream((_request, index) =>
      index === 0 ? { kind: 'custom', handle: (_r, response) => answerAfter(never, response) } : answer,
    );
    relay = await servers.relay(upstream.baseUrl, { server: { maxConcurrent: 1, maxQueue: 4 } });
    const holder = new AbortController();
    const first = await postResponse(
      relay.url,
      { model: 'm', input: 'holds the slot', stream: true },
      {},
      holder.signal,
    );
    await readUntil(first.body!.getReader(), 'response.output_text.delta');

    const waiting = new AbortController();
    // The stream starts at once; the wait for a slot happens behind its heartbeats.
    const queued = await postResponse(relay.url, { model: 'm', input: 'waits', stream: true }, {}, waiting.signal);
    expect(queued.status).toBe(200);
    await until(async () => (await gauges()).queued === 1, 'the request to queue');
    waiting.abort();
    expect(await queued.text().catch((error: unknown) => error)).toBeInstanceOf(Error);
    await until(async () => (await gauges()).queued === 0, 'the queue to empty');
    expect(upstream.requests).toHaveLength(1);

    holder.abort();
    await until(async () => (await gauges()).active === 0, 'the slot to come back');
    expect(
      (await readSse(await postResponse(relay.url, { model: 'm', input: 'next', stream: true }))).at(-1)!.type,
    ).toBe('response.completed');
  });

  it('before the upstream answered aborts the upstream request and frees the slot', async () => {
    let upstreamClosed = false;
    upstream = await servers.mockUpstream(() => ({
      kind: 'custom',
      handle: (_request, response) => {
        response.on('close', () => (upstreamClosed = true));
        return never;
      },
    }));
    relay = await servers.relay(upstream.baseUrl, { server: { maxConcurrent: 1 } });
    const controller = new AbortController();
    const pending = postResponse(relay.url, { model: 'm', input: 'hi', stream: true }, {}, controller.signal).catch(
      (error: unknown) => error,
    );
    await until(() => upstream!.requests.length === 1, 'the upstream request');
    controller.abort();
    await pending;
    await until(() => upstreamClosed, 'the upstream request to be aborted');
    await until(async () => (await gauges()).active === 0, 'the slot to come back');
    await until(async () => (await gauges()).aborted === 1, 'the turn to be counted as aborted');
  });

  it('mid-stream stops the upstream, frees the slot and is counted as aborted', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'custom',
      handle: (_request, response) => answerAfter(never, response),
    }));
    relay = await servers.relay(upstream.baseUrl);
    const controller = new AbortController();
    const response = await postResponse(relay.url, { model: 'm', input: 'hi', stream: true }, {}, controller.signal);
    await readUntil(response.body!.getReader(), 'response.output_text.delta');
    controller.abort();
    await until(() => upstream!.aborted === 1, 'the upstream request to be aborted');
    await until(async () => (await gauges()).active === 0, 'the slot to come back');
    expect((await gauges()).aborted).toBe(1);
  });
});
