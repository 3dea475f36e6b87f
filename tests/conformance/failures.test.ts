/**
 * Failed turns are conformant streams too: `response.failed` with a code Codex
 * acts on, after whatever was already emitted, and nothing after it. The codes
 * beyond the spec's ResponseErrorCode enum are the documented deviation
 * (tests/support/openai-spec.ts); readSse checks each stream against the spec.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  finishChunk,
  type MockReply,
  type MockUpstream,
  startMockUpstream,
  textChunks,
} from '../support/mock-upstream.js';
import { readSse, startTestRelay } from '../support/relay.js';

let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

afterEach(async () => {
  await relay?.close();
  await upstream?.close();
  relay = undefined;
  upstream = undefined;
});

async function failedStream(reply: MockReply): Promise<Array<Record<string, any>>> {
  upstream = await startMockUpstream(() => reply);
  relay = await startTestRelay(upstream.baseUrl);
  const response = await fetch(`${relay.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-model', input: 'hi', stream: true }),
  });
  expect(response.status).toBe(200);
  const events = await readSse(response);
  expect(events.at(-1)!.type).toBe('response.failed');
  return events;
}

const failure = (events: Array<Record<string, any>>) => events.at(-1)!.response.error;

describe('failed turns', () => {
  it('reports a context overflow before the first byte as context_length_exceeded', async () => {
    const events = await failedStream({
      kind: 'json',
      status: 400,
      body: {
        error: { message: "This model's maximum context length is 131072 tokens.", type: 'invalid_request_error' },
      },
    });
    expect(failure(events).code).toBe('context_length_exceeded');
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
  });

  it('reports an exhausted balance as insufficient_quota', async () => {
    const events = await failedStream({
      kind: 'json',
      status: 402,
      body: { error: { message: 'Insufficient Balance' } },
    });
    expect(failure(events).code).toBe('insufficient_quota');
  });

  it('reports an overloaded upstream as server_error, which Codex retries', async () => {
    const events = await failedStream({
      kind: 'json',
      status: 503,
      body: { error: { message: 'The server is overloaded' } },
    });
    expect(failure(events).code).toBe('server_error');
    expect(failure(events).message).toContain('overloaded');
  });

  it('reports a rate limit as rate_limit_exceeded with the wait in the message', async () => {
    const events = await failedStream({
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { message: 'Too many requests' } },
    });
    expect(failure(events).code).toBe('rate_limit_exceeded');
    expect(failure(events).message).toMatch(/try again in 7s/);
  });

  it('ends a stream cut by an error chunk with response.failed, keeping the items already done out of output', async () => {
    const events = await failedStream({
      kind: 'sse',
      chunks: [...textChunks('partial ', 'answer'), { error: { message: 'upstream exploded', code: 500 } }],
      done: false,
    });
    expect(failure(events).code).toBe('server_error');
    expect(events.some((event) => event.type === 'response.output_text.delta')).toBe(true);
    expect(events.at(-1)!.response.output).toEqual([]);
  });

  it('fails closed when the upstream stream ends without a finish reason', async () => {
    const events = await failedStream({ kind: 'sse', chunks: textChunks('cut off'), done: false });
    expect(failure(events).code).toBe('server_error');
  });

  it('completes normally when the finish reason arrives without [DONE]', async () => {
    upstream = await startMockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('ok'), finishChunk('stop')],
      done: false,
    }));
    relay = await startTestRelay(upstream.baseUrl);
    const response = await fetch(`${relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-model', input: 'hi', stream: true }),
    });
    const events = await readSse(response);
    expect(events.at(-1)!.type).toBe('response.completed');
  });
});
