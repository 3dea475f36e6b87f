/**
 * The Anthropic stream state machine, fed Chat chunks: each case is a pair of
 * upstream chunks and the exact events Anthropic's SDK and Claude Code read.
 */
import { describe, expect, it } from 'vitest';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { messageFromResponse, PLAIN_THINKING_SIGNATURE } from '../../src/translate/anthropic/message-stream.js';
import type { ChatChunk } from '../../src/translate/chat-types.js';
import { describeEvents, messageStreamFor, runMessageStream } from '../support/anthropic.js';
import {
  deltaChunk,
  finishChunk,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';

const BASH_TOOL = {
  name: 'Bash',
  description: 'Run a command',
  input_schema: { type: 'object', properties: { command: { type: 'string' } } },
};
const READ_TOOL = {
  name: 'Read',
  description: 'Read a file',
  input_schema: { type: 'object', properties: { path: { type: 'string' } } },
};

interface StreamCase {
  name: string;
  body?: Record<string, unknown>;
  chunks: ChatChunk[];
  expected: string[];
}

const cases: StreamCase[] = [
  {
    name: 'plain text',
    chunks: [...textChunks('Hel', 'lo'), finishChunk('stop'), usageChunk(12, 3)],
    expected: [
      'message_start',
      'start 0 text',
      'delta 0 text_delta:Hel',
      'delta 0 text_delta:lo',
      'stop 0',
      'message_delta end_turn {"input_tokens":12,"output_tokens":3,"cache_read_input_tokens":0,"cache_creation_input_tokens":0}',
      'message_stop',
    ],
  },
  {
    name: 'DeepSeek reasoning, then a tool call whose input streams as it arrives',
    body: { tools: [BASH_TOOL] },
    chunks: [
      ...reasoningChunks('I should ', 'run it.'),
      ...toolCallChunks(0, 'call_1', 'Bash', '{"command":', '"echo hi"}'),
      finishChunk('tool_calls'),
      usageChunk(100, 20, { prompt_tokens_details: { cached_tokens: 60 } }),
    ],
    expected: [
      'message_start',
      'start 0 thinking',
      'delta 0 thinking_delta:I should ',
      'delta 0 thinking_delta:run it.',
      `delta 0 signature_delta:${PLAIN_THINKING_SIGNATURE}`,
      'stop 0',
      'start 1 tool_use call_1 Bash',
      'delta 1 input_json_delta:{"command":',
      'delta 1 input_json_delta:"echo hi"}',
      'stop 1',
      'message_delta tool_use {"input_tokens":40,"output_tokens":20,"cache_read_input_tokens":60,"cache_creation_input_tokens":0}',
      'message_stop',
    ],
  },
  {
    name: 'parallel tool use: text, then two calls in order',
    body: { tools: [BASH_TOOL, READ_TOOL] },
    chunks: [
      ...textChunks('Checking.'),
      ...toolCallChunks(0, 'call_a', 'Read', '{"path":"a.txt"}'),
      ...toolCallChunks(1, 'call_b', 'Bash', '{"command":"ls"}'),
      finishChunk('tool_calls'),
    ],
    expected: [
      'message_start',
      'start 0 text',
      'delta 0 text_delta:Checking.',
      'stop 0',
      'start 1 tool_use call_a Read',
      'delta 1 input_json_delta:{"path":"a.txt"}',
      'stop 1',
      'start 2 tool_use call_b Bash',
      'delta 2 input_json_delta:{"command":"ls"}',
      'stop 2',
      'message_delta tool_use {"input_tokens":0,"output_tokens":0}',
      'message_stop',
    ],
  },
  {
    name: 'reasoning in <think> tags becomes a thinking block',
    chunks: [...textChunks('<think>hmm</think>', 'Answer'), finishChunk('stop')],
    expected: [
      'message_start',
      'start 0 thinking',
      'delta 0 thinking_delta:hmm',
      `delta 0 signature_delta:${PLAIN_THINKING_SIGNATURE}`,
      'stop 0',
      'start 1 text',
      'delta 1 text_delta:Answer',
      'stop 1',
      'message_delta end_turn {"input_tokens":0,"output_tokens":0}',
      'message_stop',
    ],
  },
  {
    name: 'a tool call leaked as markup into the text becomes tool_use',
    body: { tools: [BASH_TOOL] },
    chunks: [
      ...textChunks('<tool_call>{"name":"Bash","arguments":{"command":"pwd"}}</tool_call>'),
      finishChunk('stop'),
    ],
    expected: [
      'message_start',
      'start 0 tool_use call_1 Bash',
      'delta 0 input_json_delta:{"command":"pwd"}',
      'stop 0',
      'message_delta tool_use {"input_tokens":0,"output_tokens":0}',
      'message_stop',
    ],
  },
  {
    name: 'truncation is max_tokens',
    chunks: [...textChunks('Long'), finishChunk('length')],
    expected: [
      'message_start',
      'start 0 text',
      'delta 0 text_delta:Long',
      'stop 0',
      'message_delta max_tokens {"input_tokens":0,"output_tokens":0}',
      'message_stop',
    ],
  },
  {
    name: 'an error inside the stream ends it with an error event',
    chunks: [
      ...textChunks('Par'),
      {
        error: {
          message: 'Rate limit reached, try again in 2s',
          type: 'rate_limit_error',
          code: 'rate_limit_exceeded',
        },
      } as ChatChunk,
    ],
    expected: ['message_start', 'start 0 text', 'delta 0 text_delta:Par', 'stop 0', 'error rate_limit_error'],
  },
  {
    name: 'a stream that ends without a finish reason fails closed',
    chunks: [...textChunks('Par')],
    expected: ['message_start', 'start 0 text', 'delta 0 text_delta:Par', 'stop 0', 'error api_error'],
  },
];

describe('Anthropic stream state machine', () => {
  for (const testCase of cases) {
    it(testCase.name, () => {
      const stream = messageStreamFor(testCase.body);
      expect(describeEvents(runMessageStream(stream, testCase.chunks))).toEqual(testCase.expected);
      expect(stream.ended).toBe(true);
    });
  }

  it('announces the message with the model the client asked for', () => {
    const [start] = messageStreamFor({ model: 'claude-sonnet-4-5' }).start();
    expect(start).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_test',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  });

  it('keeps opaque reasoning data as the signature, or as redacted_thinking when there is no text', () => {
    const details = [{ type: 'reasoning.encrypted', data: 'opaque', index: 0 }];
    const stream = messageStreamFor({ tools: [BASH_TOOL] });
    const events = runMessageStream(stream, [
      deltaChunk({
        reasoning: 'think',
        reasoning_details: [{ type: 'reasoning.text', text: 'think', index: 0 }, ...details],
      }),
      ...textChunks('ok'),
      finishChunk('stop'),
    ]);
    const signature = events.find(
      (event) => (event.delta as { type?: string } | undefined)?.type === 'signature_delta',
    );
    expect((signature!.delta as { signature: string }).signature).toMatch(/^rr1:/);
  });

  it('sends ping while the upstream is silent, and nothing once ended', () => {
    const stream = messageStreamFor();
    stream.start();
    expect(stream.heartbeat()).toEqual([{ type: 'ping' }]);
    runMessageStream(stream, [...textChunks('x'), finishChunk('stop')]);
    expect(stream.heartbeat()).toEqual([]);
  });

  it('builds the whole Message for stream: false', () => {
    const stream = messageStreamFor({ tools: [BASH_TOOL] }, deepseekProvider);
    runMessageStream(stream, [
      ...reasoningChunks('plan'),
      ...textChunks('Running.'),
      ...toolCallChunks(0, 'call_9', 'Bash', '{"command":"ls"}'),
      finishChunk('tool_calls'),
      usageChunk(10, 5),
    ]);
    expect(messageFromResponse(stream.response, 'msg_1', 'claude-x')).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'plan', signature: PLAIN_THINKING_SIGNATURE },
        { type: 'text', text: 'Running.' },
        { type: 'tool_use', id: 'call_9', name: 'Bash', input: { command: 'ls' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
  });
});
