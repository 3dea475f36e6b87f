/**
 * POST /v1/messages and /v1/messages/count_tokens over HTTP, driven by the
 * official `@anthropic-ai/sdk` against the relay and a loopback upstream:
 * its `messages.stream()` parser is what Claude Code is built on.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  finishChunk,
  type MockUpstream,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

function client(): Anthropic {
  return new Anthropic({ apiKey: 'sk-ant-client', baseURL: relay!.url, maxRetries: 0 });
}

const BASH_TOOL = {
  name: 'Bash',
  description: 'Run a shell command',
  input_schema: { type: 'object' as const, properties: { command: { type: 'string' } }, required: ['command'] },
};

async function post(path: string, body: unknown): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${relay!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describe('Anthropic Messages through the relay', () => {
  it('messages.stream(): thinking, text and a tool call the SDK accumulates into the final message', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ...reasoningChunks('Need to ', 'list files.'),
        ...textChunks('Listing.'),
        ...toolCallChunks(0, 'call_1', 'Bash', '{"comm', 'and":"ls"}'),
        finishChunk('tool_calls'),
        usageChunk(120, 30),
      ],
    }));
    relay = await servers.relay(upstream.baseUrl);

    const stream = client().messages.stream({
      model: 'mock-model',
      max_tokens: 1000,
      tools: [BASH_TOOL],
      messages: [{ role: 'user', content: 'list files' }],
    });
    const partialJson: string[] = [];
    stream.on('inputJson', (partial) => partialJson.push(partial));
    const final = await stream.finalMessage();

    expect(final.model).toBe('mock-model');
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      { type: 'thinking', thinking: 'Need to list files.', signature: 'responses-relay' },
      { type: 'text', text: 'Listing.' },
      { type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } },
    ]);
    expect(partialJson).toEqual(['{"comm', 'and":"ls"}']);
    expect(final.usage).toMatchObject({ input_tokens: 120, output_tokens: 30 });
    expect(upstream.requests[0]!.body).toMatchObject({
      model: 'mock-model',
      stream: true,
      max_tokens: 1000,
      messages: [{ role: 'user', content: 'list files' }],
    });
  });

  it('stream: false returns the whole Message', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('pong'), finishChunk('stop'), usageChunk(5, 1)],
    }));
    relay = await servers.relay(upstream.baseUrl);
    const message = await client().messages.create({
      model: 'mock-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'pong' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 5, output_tokens: 1 },
    });
    expect(message.id).toMatch(/^msg_/);
  });

  it('accepts ?beta=true as Claude Code sends it', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('ok'), finishChunk('stop')] }));
    relay = await servers.relay(upstream.baseUrl);
    const message = await client().beta.messages.create({
      model: 'mock-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(message.content).toMatchObject([{ type: 'text', text: 'ok' }]);
  });

  it('malformed bodies get Anthropic-shaped 400s, never a 500', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [] }));
    relay = await servers.relay(upstream.baseUrl);
    for (const body of [
      '{not json',
      '[]',
      { model: 'm' },
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'image' }] }] },
      { model: 5, messages: [] },
    ]) {
      const { status, json } = await post('/v1/messages', body);
      expect(status).toBe(400);
      expect(json).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.any(String) } });
    }
    const { status, json } = await post('/v1/messages/count_tokens', { model: 'm', messages: 'x' });
    expect([status, json.type, json.error.type]).toEqual([400, 'error', 'invalid_request_error']);
    expect(upstream.requests).toHaveLength(0);
  });

  it('a Claude model id with no route is refused with the fix, in Anthropic’s shape', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [] }));
    relay = await servers.relay(upstream.baseUrl);
    const { status, json } = await post('/v1/messages', {
      model: 'claude-sonnet-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(status).toBe(404);
    expect(json.error.type).toBe('not_found_error');
    expect(json.error.message).toContain('ANTHROPIC_MODEL');
    expect(json.error.message).toContain('--model-map claude-sonnet-4-5:');
  });

  it('a claude-* alias routes Claude Code’s model to the provider’s model', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('hi'), finishChunk('stop')] }));
    relay = await servers.relay(upstream.baseUrl, {
      aliases: new Map([['claude-haiku-4-5', { model: 'small-model' }]]),
    });
    const message = await client().messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(message.model).toBe('claude-haiku-4-5');
    expect(upstream.requests[0]!.body.model).toBe('small-model');
  });

  it('upstream rate limits and overload become 429 and 529 with retry-after, which the SDK retries', async () => {
    let calls = 0;
    upstream = await servers.mockUpstream(() => {
      calls++;
      if (calls === 1)
        return {
          kind: 'json',
          status: 429,
          body: { error: { message: 'Rate limit reached', type: 'rate_limit_error' } },
          headers: { 'retry-after': '1' },
        };
      if (calls === 2 || calls === 3)
        return { kind: 'json', status: 503, body: { error: { message: 'Server overloaded', type: 'server_error' } } };
      return { kind: 'sse', chunks: [...textChunks('done'), finishChunk('stop')] };
    });
    relay = await servers.relay(upstream.baseUrl);
    const first = await post('/v1/messages', {
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect([first.status, first.json.error.type, first.headers.get('retry-after')]).toEqual([
      429,
      'rate_limit_error',
      '1',
    ]);
    const second = await post('/v1/messages', {
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect([second.status, second.json.error.type]).toEqual([529, 'overloaded_error']);

    // The SDK retries the 529 by itself.
    const retrying = new Anthropic({ apiKey: 'k', baseURL: relay.url, maxRetries: 1 });
    const message = await retrying.messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(message.content).toMatchObject([{ type: 'text', text: 'done' }]);
    expect(calls).toBe(4);
  });

  it('an error after the stream began reaches the SDK as an error event', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('par'), { error: { message: 'upstream crashed', type: 'server_error' } }],
    }));
    relay = await servers.relay(upstream.baseUrl);
    const stream = client().messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] });
    await expect(stream.finalMessage()).rejects.toThrow(/upstream crashed/);
  });

  it('count_tokens: a real estimate that grows with the request', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [] }));
    relay = await servers.relay(upstream.baseUrl);
    const small = await client().messages.countTokens({
      model: 'm',
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    const large = await client().messages.countTokens({
      model: 'm',
      system: 'You are a careful engineer. '.repeat(50),
      tools: [BASH_TOOL],
      messages: [{ role: 'user', content: 'Hello there' }],
    });
    expect(small.input_tokens).toBeGreaterThan(2);
    expect(small.input_tokens).toBeLessThan(20);
    expect(large.input_tokens).toBeGreaterThan(small.input_tokens + 250);
    // Special-token markers in a prompt (a log, a tokenizer's source) are counted as text.
    const markers = await client().messages.countTokens({
      model: 'm',
      messages: [{ role: 'user', content: 'Hello there <|endoftext|><|fim_prefix|>' }],
    });
    expect(markers.input_tokens).toBeGreaterThan(small.input_tokens + 5);
    expect(upstream.requests).toHaveLength(0);
  });
});
