/**
 * POST /v1/chat/completions: the official `openai` SDK's chat.completions
 * against the relay and a loopback upstream, with the provider's quirks
 * repaired on the way and nothing else changed.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { mistralProvider } from '../../src/providers/mistral.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  deltaChunk,
  finishChunk,
  type MockUpstream,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { chatAnswer } from '../support/scripted-upstream.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

function client(): OpenAI {
  return new OpenAI({ apiKey: 'sk-client', baseURL: `${relay!.url}/v1`, maxRetries: 0 });
}

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

describe('Chat Completions through the relay', () => {
  it('the openai SDK streams a tool call; usage arrives because it asked for it', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ...toolCallChunks(0, 'call_w', 'get_weather', '{"ci', 'ty":"Paris"}'),
        finishChunk('tool_calls'),
        usageChunk(40, 9),
      ],
    }));
    relay = await servers.relay(upstream.baseUrl);

    const stream = client().chat.completions.stream({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
      stream_options: { include_usage: true },
    });
    const argumentDeltas: string[] = [];
    stream.on('tool_calls.function.arguments.delta', (event) => argumentDeltas.push(event.arguments_delta));
    const completion = await stream.finalChatCompletion();

    expect(completion.model).toBe('mock-model');
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(argumentDeltas).toEqual(['', '{"ci', 'ty":"Paris"}']);
    expect(completion.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 9 });
    // Passed through as Chat Completions: the client's messages and tools as they were.
    expect(upstream.requests[0]!.body).toMatchObject({
      model: 'mock-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    });
  });

  it('without include_usage the client gets no usage chunk (the relay still counts it)', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('Hi'), finishChunk('stop'), usageChunk(3, 1)],
    }));
    relay = await servers.relay(upstream.baseUrl);
    const chunks = [];
    for await (const chunk of await client().chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    }))
      chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? chunk.choices[0]?.finish_reason)).toEqual([
      'Hi',
      'stop',
    ]);
    expect(chunks.every((chunk) => chunk.usage === undefined)).toBe(true);
    expect(upstream.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/route="\/v1\/chat\/completions"/);
  });

  it('stream: false returns a whole chat.completion', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('Hello', ' there'), finishChunk('stop'), usageChunk(3, 2)],
    }));
    relay = await servers.relay(upstream.baseUrl);
    const completion = await client().chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'mock-model',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
  });

  it('<think> tags become reasoning_content and leaked tool-call markup becomes a real tool call', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ...textChunks(
          '<think>check</think>',
          '<tool_call>{"name":"get_weather","arguments":{"city":"Oslo"}}</tool_call>',
        ),
        finishChunk('stop'),
      ],
    }));
    relay = await servers.relay(upstream.baseUrl);
    const completion = await client().chat.completions.create({
      model: 'mock-model',
      messages: [{ role: 'user', content: 'x' }],
      tools: [WEATHER_TOOL],
    });
    const message = completion.choices[0]!.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string };
    expect(message.reasoning_content).toBe('check');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toMatchObject([
      { type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
    ]);
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('DeepSeek: reasoning_content the client kept goes back; the strict upstream accepts the turn', async () => {
    const scripted = await servers.scriptedUpstream(() => chatAnswer({ text: 'It is sunny.', style: 'deepseek' }), {
      thinking: 'deepseek',
    });
    upstream = scripted;
    relay = await servers.relay(scripted.baseUrl, { profile: deepseekProvider });
    const messages = [
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Call the tool.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    ];
    const completion = await client().chat.completions.create({
      model: 'deepseek-v4-pro',
      messages: messages as OpenAI.ChatCompletionMessageParam[],
      tools: [WEATHER_TOOL],
      reasoning_effort: 'high',
    });
    expect(completion.choices[0]!.message.content).toBe('It is sunny.');
    expect(scripted.rejections).toEqual([]);
    expect(scripted.requests[0]!.body.messages[1].reasoning_content).toBe('Call the tool.');
    expect(scripted.requests[0]!.body).toMatchObject({ thinking: { type: 'enabled' }, reasoning_effort: 'high' });
  });

  it('Mistral: tool-call ids follow its rules in both the call and its result', async () => {
    upstream = await servers.mockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('ok'), finishChunk('stop')] }));
    relay = await servers.relay(upstream.baseUrl, { profile: mistralProvider });
    await client().chat.completions.create({
      model: 'mistral-large-latest',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'x' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_abc_long_id', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_abc_long_id', content: 'sunny' },
      ],
      tools: [WEATHER_TOOL],
    });
    const sent = upstream.requests[0]!.body.messages;
    expect(sent[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(sent[2].tool_calls[0].id).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(sent[3].tool_call_id).toBe(sent[2].tool_calls[0].id);
  });

  it('errors in OpenAI’s shape: bad input is a 400, an upstream failure a clear status, a broken stream an error chunk', async () => {
    upstream = await servers.mockUpstream((request) =>
      request.body.messages[0].content === 'limit'
        ? {
            kind: 'json',
            status: 429,
            body: { error: { message: 'Rate limit reached' } },
            headers: { 'retry-after': '3' },
          }
        : {
            kind: 'sse',
            chunks: [
              deltaChunk({ role: 'assistant', content: 'par' }),
              { error: { message: 'boom', type: 'server_error' } },
            ],
          },
    );
    relay = await servers.relay(upstream.baseUrl);
    const bad = await fetch(`${relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: unknown }).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages',
    });

    const limited = await fetch(`${relay.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'limit' }] }),
    });
    expect([
      limited.status,
      limited.headers.get('retry-after'),
      ((await limited.json()) as { error: { type: string } }).error.type,
    ]).toEqual([429, '3', 'rate_limit_error']);

    const stream = await client().chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    await expect(async () => {
      for await (const _chunk of stream) void _chunk;
    }).rejects.toThrow(/boom/);
  });
});
