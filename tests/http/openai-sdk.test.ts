/**
 * The official `openai` SDK parses Responses streams strictly (event order,
 * output indexes, content parts). These tests drive it against the relay and
 * a real loopback upstream.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  deltaChunk,
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

function client(): OpenAI {
  return new OpenAI({ apiKey: 'sk-client', baseURL: `${relay!.url}/v1`, maxRetries: 0 });
}

describe('openai SDK against the relay', () => {
  it('streams text and accumulates the final response', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ...textChunks('Hel', 'lo, ', 'world'),
        finishChunk('stop'),
        usageChunk(12, 3, { prompt_tokens_details: { cached_tokens: 4 } }),
      ],
    }));
    relay = await servers.relay(upstream.baseUrl);

    const stream = client().responses.stream({ model: 'mock-model', input: 'Say hello', instructions: 'Be brief.' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();

    expect(deltas).toEqual(['Hel', 'lo, ', 'world']);
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe('Hello, world');
    expect(final.usage).toEqual({
      input_tokens: 12,
      input_tokens_details: { cached_tokens: 4, cache_write_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    });
    const sent = upstream.requests[0]!.body;
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    expect(sent.stream).toBe(true);
    expect(sent.stream_options).toEqual({ include_usage: true });
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer sk-upstream-test');
  });

  it('streams reasoning, then parallel tool calls with argument fragments', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ...reasoningChunks('Need to ', 'list files.'),
        ...toolCallChunks(0, 'call_a', 'exec_command', '{"cmd":', '"ls"}'),
        ...toolCallChunks(1, 'call_b', 'exec_command', '{"cmd":"pwd"}'),
        finishChunk('tool_calls'),
        usageChunk(50, 20, { completion_tokens_details: { reasoning_tokens: 8 } }),
      ],
    }));
    relay = await servers.relay(upstream.baseUrl);

    const stream = client().responses.stream({
      model: 'mock-model',
      input: 'List files',
      tools: [
        {
          type: 'function',
          name: 'exec_command',
          parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
          strict: false,
        },
      ],
    });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const final = await stream.finalResponse();

    expect(final.status).toBe('completed');
    expect(argumentDeltas).toEqual(['{"cmd":', '"ls"}', '{"cmd":"pwd"}']);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'function_call', 'function_call']);
    const [reasoning, first, second] = final.output as any[];
    expect(reasoning.content).toEqual([{ type: 'reasoning_text', text: 'Need to list files.' }]);
    expect(reasoning.summary).toEqual([{ type: 'summary_text', text: 'Need to list files.' }]);
    expect(first).toMatchObject({
      call_id: 'call_a',
      name: 'exec_command',
      arguments: '{"cmd":"ls"}',
      status: 'completed',
    });
    expect(second).toMatchObject({
      call_id: 'call_b',
      name: 'exec_command',
      arguments: '{"cmd":"pwd"}',
      status: 'completed',
    });
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(8);
  });

  it('returns the whole Response object for stream: false', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('pong'), finishChunk('stop'), usageChunk(5, 1)],
    }));
    relay = await servers.relay(upstream.baseUrl);

    const response = await client().responses.create({ model: 'mock-model', input: 'ping' });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('pong');
    expect(response.usage?.total_tokens).toBe(6);
  });

  it('reports finish_reason length as an incomplete response', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('cut'), finishChunk('length')],
    }));
    relay = await servers.relay(upstream.baseUrl);

    const stream = client().responses.stream({ model: 'mock-model', input: 'long', max_output_tokens: 16 });
    const events: string[] = [];
    stream.on('event', (event) => events.push(event.type));
    const final = await stream.finalResponse().catch(() => undefined);
    expect(events.at(-1)).toBe('response.incomplete');
    expect(upstream.requests[0]!.body.max_tokens).toBe(16);
    if (final) expect(final.status).toBe('incomplete');
  });

  it('keeps a reasoning item intact across a heartbeat while the upstream is silent', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      delayMs: 120,
      chunks: [deltaChunk({ reasoning_content: 'thinking' }), deltaChunk({ content: 'answer' }), finishChunk('stop')],
    }));
    relay = await servers.relay(upstream.baseUrl, { heartbeatMs: 50 });

    const stream = client().responses.stream({ model: 'mock-model', input: 'slow' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(types.filter((type) => type === 'response.in_progress').length).toBeGreaterThan(1);
    expect(final.output_text).toBe('answer');
    expect((final.output[0] as any).content[0].text).toBe('thinking');
  });
});
