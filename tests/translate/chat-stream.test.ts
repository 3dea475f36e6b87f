/** The Chat Completions pass-through stream: upstream chunks in, the client's chunks out, as pairs. */
import { describe, expect, it } from 'vitest';
import { genericProvider } from '../../src/providers/generic.js';
import { ChatPassthroughStream, type ChatStreamEvent, encodeChatEvents } from '../../src/translate/chat/chat-stream.js';
import type { ChatChunk } from '../../src/translate/chat-types.js';
import { classifyUpstreamError } from '../../src/translate/upstream-errors.js';
import { deltaChunk, finishChunk, textChunks, toolCallChunks, usageChunk } from '../support/mock-upstream.js';

function streamFor(includeUsage: boolean): ChatPassthroughStream {
  return new ChatPassthroughStream({
    id: 'chatcmpl_1',
    model: 'client-model',
    created: 1_700_000_000,
    hooks: genericProvider.hooks,
    toolNames: new Set(['get_weather']),
    includeUsage,
    createId: () => 'call_relay_1',
    classifyStreamError: (body) => classifyUpstreamError(undefined, body, undefined, 'Mock'),
  });
}

/** Each event as its delta, finish reason or usage, compactly. */
function summarize(events: readonly ChatStreamEvent[]): string[] {
  return events.map((event) => {
    if (event.type !== 'chunk') return event.type;
    const chunk = event.chunk as {
      choices?: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>;
      usage?: unknown;
      error?: { code: string };
    };
    if (chunk.error) return `error ${chunk.error.code}`;
    const choice = chunk.choices?.[0];
    const parts = [choice ? JSON.stringify(choice.delta) : 'no choice'];
    if (choice?.finish_reason) parts.push(`finish ${choice.finish_reason}`);
    if (chunk.usage) parts.push(`usage ${JSON.stringify(chunk.usage)}`);
    return parts.join(' ');
  });
}

function run(stream: ChatPassthroughStream, chunks: ChatChunk[]): ChatStreamEvent[] {
  const events = [...stream.start()];
  for (const chunk of chunks) events.push(...stream.onChunk(chunk));
  events.push(...stream.finish());
  return events;
}

const cases: Array<{ name: string; includeUsage: boolean; chunks: ChatChunk[]; expected: string[] }> = [
  {
    name: 'text and usage the client asked for',
    includeUsage: true,
    chunks: [...textChunks('Hel', 'lo'), finishChunk('stop'), usageChunk(5, 2)],
    expected: [
      '{"role":"assistant","content":"Hel"}',
      '{"content":"lo"}',
      '{} finish stop',
      'no choice usage {"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}',
      'done',
    ],
  },
  {
    name: 'usage the client did not ask for is not sent',
    includeUsage: false,
    chunks: [...textChunks('Hi'), finishChunk('stop'), usageChunk(5, 2)],
    expected: ['{"role":"assistant","content":"Hi"}', '{} finish stop', 'done'],
  },
  {
    name: 'tool calls pass through as they stream',
    includeUsage: false,
    chunks: [...toolCallChunks(0, 'call_a', 'get_weather', '{"city":', '"Oslo"}'), finishChunk('tool_calls')],
    expected: [
      '{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}',
      '{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]}',
      '{"tool_calls":[{"index":0,"function":{"arguments":"\\"Oslo\\"}"}}]}',
      '{} finish tool_calls',
      'done',
    ],
  },
  {
    name: 'parallel calls an upstream puts all at index 0 reach the client as two calls',
    includeUsage: false,
    chunks: [
      ...toolCallChunks(0, 'call_a', 'get_weather', '{"city":"A"}'),
      ...toolCallChunks(0, 'call_b', 'get_weather', '{"city":"B"}'),
      finishChunk('tool_calls'),
    ],
    expected: [
      '{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]}',
      '{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":\\"A\\"}"}}]}',
      '{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_weather","arguments":""}}]}',
      '{"tool_calls":[{"index":1,"function":{"arguments":"{\\"city\\":\\"B\\"}"}}]}',
      '{} finish tool_calls',
      'done',
    ],
  },
  {
    name: '<think> tags become reasoning_content; leaked markup a tool call and the finish reason tool_calls',
    includeUsage: false,
    chunks: [
      ...textChunks('<think>why</think>', '<tool_call>{"name":"get_weather","arguments":{"city":"Rome"}}</tool_call>'),
      finishChunk('stop'),
    ],
    expected: [
      '{"role":"assistant","reasoning_content":"why"}',
      '{"tool_calls":[{"index":0,"id":"call_relay_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}}]}',
      '{} finish tool_calls',
      'done',
    ],
  },
  {
    name: 'a finish reason sent twice (Kimi) reaches the client once, its usage separately',
    includeUsage: true,
    chunks: [
      ...textChunks('ok'),
      deltaChunk({ content: '' }, 'stop'),
      { ...deltaChunk({ content: '' }, 'stop'), usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
    ],
    expected: [
      '{"role":"assistant","content":"ok"}',
      '{} finish stop',
      'no choice usage {"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}',
      'done',
    ],
  },
  {
    name: 'an error chunk ends the stream with an OpenAI-shaped error',
    includeUsage: false,
    chunks: [
      ...textChunks('par'),
      { error: { message: 'Rate limit reached, try again in 2s', code: 'rate_limit_exceeded' } } as ChatChunk,
    ],
    expected: ['{"role":"assistant","content":"par"}', 'error rate_limit_exceeded'],
  },
  {
    name: 'a stream without a finish reason fails closed',
    includeUsage: false,
    chunks: [...textChunks('par')],
    expected: ['{"role":"assistant","content":"par"}', 'error server_error'],
  },
];

describe('Chat Completions pass-through stream', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(summarize(run(streamFor(testCase.includeUsage), testCase.chunks))).toEqual(testCase.expected);
    });
  }

  it('every chunk carries the id, the client’s model name and the creation time; [DONE] closes', () => {
    const events = run(streamFor(false), [...textChunks('x'), finishChunk('stop')]);
    expect(encodeChatEvents(events)).toBe(
      'data: {"id":"chatcmpl_1","object":"chat.completion.chunk","created":1700000000,"model":"client-model","choices":[{"index":0,"delta":{"role":"assistant","content":"x"},"finish_reason":null}]}\n\n' +
        'data: {"id":"chatcmpl_1","object":"chat.completion.chunk","created":1700000000,"model":"client-model","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
        'data: [DONE]\n\n',
    );
  });

  it('collects the whole completion for stream: false', () => {
    const stream = streamFor(false);
    run(stream, [
      deltaChunk({ reasoning_content: 'plan' }),
      ...textChunks('Sure.'),
      ...toolCallChunks(0, 'call_z', 'get_weather', '{}'),
      finishChunk('tool_calls'),
      usageChunk(7, 3),
    ]);
    expect(stream.completion()).toMatchObject({
      object: 'chat.completion',
      model: 'client-model',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: 'Sure.',
            reasoning_content: 'plan',
            tool_calls: [{ id: 'call_z', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
          },
        },
      ],
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
    });
    expect(stream.response.usage).toMatchObject({ input_tokens: 7, output_tokens: 3 });
  });
});
