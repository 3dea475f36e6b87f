/**
 * MiniMax: M2 reasoning written inline as <think>…</think>, split out on the
 * way in and put back into the content on the way out; thinking control on
 * M3 only; max_completion_tokens; base_resp quota codes.
 */
import { describe, expect, it } from 'vitest';
import { minimaxProvider } from '../../src/providers/minimax.js';
import {
  assistantMessages,
  chatBodyFor,
  chunk,
  classify,
  contentChunks,
  deltaText,
  functionTool,
  streamThrough,
} from './support.js';

const READ = functionTool('read_file');

describe('MiniMax stream', () => {
  it('splits the inline think block (tags cut across chunks) from the answer and the tool call', () => {
    const chunks = [
      chunk({ role: 'assistant', content: '<thi' }),
      ...contentChunks('nk>\nThe user wants a.md', '; read it.\n</th', 'ink>\n\n', 'Reading it now.'),
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_function_a1_1',
            type: 'function',
            function: { name: 'read_file', arguments: '{"path":"a.md"}' },
          },
        ],
      }),
      chunk({}, 'tool_calls'),
    ];
    const { events, output } = streamThrough(minimaxProvider, chunks, { model: 'MiniMax-M2.7', tools: [READ] });
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('\nThe user wants a.md; read it.\n');
    expect(deltaText(events, 'response.output_text.delta')).toBe('Reading it now.');
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
  });
});

describe('MiniMax request', () => {
  it('puts the reasoning back into the assistant content as a think block', () => {
    const sent = chatBodyFor(minimaxProvider, {
      model: 'MiniMax-M2.7',
      tools: [READ],
      input: [
        { type: 'message', role: 'user', content: 'read a.md' },
        {
          type: 'reasoning',
          summary: [],
          content: [{ type: 'reasoning_text', text: '\nThe user wants a.md; read it.\n' }],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Reading it now.' }] },
        { type: 'function_call', call_id: 'call_function_a1_1', name: 'read_file', arguments: '{"path":"a.md"}' },
        { type: 'function_call_output', call_id: 'call_function_a1_1', output: '# A' },
      ],
    });
    const [assistant] = assistantMessages(sent);
    expect(assistant!.content).toBe('<think>\nThe user wants a.md; read it.\n</think>\n\nReading it now.');
    expect(assistant).not.toHaveProperty('reasoning_content');
    expect(assistant!.tool_calls[0].id).toBe('call_function_a1_1');
  });

  it('switches thinking off only on M3, and uses max_completion_tokens', () => {
    expect(
      chatBodyFor(minimaxProvider, { model: 'MiniMax-M3', input: 'x', reasoning: { effort: 'none' } }).thinking,
    ).toEqual({ type: 'disabled' });
    expect(
      chatBodyFor(minimaxProvider, { model: 'MiniMax-M3', input: 'x', reasoning: { effort: 'high' } }),
    ).not.toHaveProperty('thinking');
    const m2 = chatBodyFor(minimaxProvider, {
      model: 'MiniMax-M2.7',
      input: 'x',
      reasoning: { effort: 'none' },
      max_output_tokens: 2048,
    });
    expect(m2).not.toHaveProperty('thinking');
    expect(m2).not.toHaveProperty('reasoning_effort');
    expect(m2.max_completion_tokens).toBe(2048);
  });
});

describe('MiniMax errors', () => {
  it('reports an empty balance or plan quota as insufficient_quota', () => {
    expect(
      classify(minimaxProvider, 200, { base_resp: { status_code: 1008, status_msg: 'insufficient balance' } }).code,
    ).toBe('insufficient_quota');
    expect(
      classify(minimaxProvider, 429, { base_resp: { status_code: 1030, status_msg: 'token plan quota exhausted' } })
        .code,
    ).toBe('insufficient_quota');
    expect(classify(minimaxProvider, 429, { base_resp: { status_code: 1002, status_msg: 'rate limit' } }).code).toBe(
      'rate_limit_exceeded',
    );
  });
});
