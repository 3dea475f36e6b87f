/**
 * Mistral: only documented fields (no stream_options, no reasoning fields),
 * 9-character tool-call ids mapped both ways without state, an assistant
 * message between tool results and the next user/system message, reasoning
 * as `thinking` content chunks both ways, effort per model.
 */
import { describe, expect, it } from 'vitest';
import {
  bridgeToolResults,
  mistralProvider,
  TOOL_RESULTS_BRIDGE,
  toMistralToolCallId,
} from '../../src/providers/mistral.js';
import type { ChatRequest } from '../../src/translate/chat-types.js';
import { assistantMessages, chatBodyFor, chunk, classify, deltaText, functionTool, streamThrough } from './support.js';

const TOOLS = [functionTool('read')];

function body(extra: Record<string, unknown>): ChatRequest {
  return chatBodyFor(mistralProvider, { model: 'mistral-large-latest', input: 'hi', ...extra });
}

describe('Mistral request fields', () => {
  it('sends no stream_options and only documented fields', () => {
    const sent = body({
      tools: TOOLS,
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_output_tokens: 100,
      temperature: 0.1,
      top_p: 0.9,
      user: 'u',
      store: false,
    });
    expect(sent).not.toHaveProperty('stream_options');
    expect(Object.keys(sent).sort()).toEqual([
      'max_tokens',
      'messages',
      'model',
      'parallel_tool_calls',
      'stream',
      'temperature',
      'tool_choice',
      'tools',
      'top_p',
    ]);
  });

  it('never sends a reasoning field: reasoning goes back as a thinking chunk', () => {
    const sent = body({
      input: [
        { type: 'message', role: 'user', content: 'x' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'I think.' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Answer.' }] },
        { type: 'message', role: 'user', content: 'y' },
      ],
    });
    expect(JSON.stringify(sent)).not.toMatch(/reasoning_content|"reasoning"/);
    expect(assistantMessages(sent)[0]).toEqual({
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: [{ type: 'text', text: 'I think.' }] },
        { type: 'text', text: 'Answer.' },
      ],
    });
  });
});

describe('Mistral tool-call ids', () => {
  it('keeps its own 9-character ids and maps any other id to 9 alphanumerics, the same way every time', () => {
    expect(toMistralToolCallId('D681PevKs')).toBe('D681PevKs');
    for (const id of ['call_00_Ya8b', 'functions.read:0', 'toolu_01N8hD5cYDw4WfvnjKXAkA2W', 'abc', 'ABCDEFGHIJ']) {
      const mapped = toMistralToolCallId(id);
      expect(mapped, id).toMatch(/^[a-zA-Z0-9]{9}$/);
      expect(toMistralToolCallId(id), id).toBe(mapped);
    }
    expect(toMistralToolCallId('call_1')).not.toBe(toMistralToolCallId('call_2'));
  });

  it('uses the mapped id on the call and on its result', () => {
    const sent = body({
      tools: TOOLS,
      input: [
        { type: 'message', role: 'user', content: 'read it' },
        { type: 'function_call', call_id: 'call_00_from_another_provider', name: 'read', arguments: '{"path":"a"}' },
        { type: 'function_call_output', call_id: 'call_00_from_another_provider', output: 'text' },
      ],
    });
    const id = toMistralToolCallId('call_00_from_another_provider');
    expect((assistantMessages(sent)[0]!.tool_calls as Array<{ id: string }>)[0]!.id).toBe(id);
    expect(sent.messages.find((message) => message.role === 'tool')).toEqual({
      role: 'tool',
      tool_call_id: id,
      content: 'text',
    });
  });

  it('round-trips an id Mistral streamed unchanged', () => {
    const { output } = streamThrough(
      mistralProvider,
      [
        chunk({ tool_calls: [{ id: 'D681PevKs', function: { name: 'read', arguments: '{"path": "a"}' }, index: 0 }] }),
        chunk({}, 'tool_calls'),
      ],
      { model: 'mistral-large-latest', tools: TOOLS },
    );
    expect(output[0]).toMatchObject({ type: 'function_call', call_id: 'D681PevKs' });
    const next = body({
      tools: TOOLS,
      input: [
        { type: 'message', role: 'user', content: 'go' },
        ...output,
        { type: 'function_call_output', call_id: 'D681PevKs', output: 'ok' },
      ],
    });
    expect((assistantMessages(next)[0]!.tool_calls as Array<{ id: string }>)[0]!.id).toBe('D681PevKs');
  });
});

describe('Mistral message order', () => {
  it('puts an assistant message between tool results and the next user or system message', () => {
    const sent = body({
      tools: TOOLS,
      input: [
        { type: 'message', role: 'user', content: 'read it' },
        { type: 'function_call', call_id: 'aaaaaaaa1', name: 'read', arguments: '{}' },
        { type: 'function_call_output', call_id: 'aaaaaaaa1', output: 'text' },
        { type: 'message', role: 'developer', content: 'New rule.' },
        { type: 'function_call', call_id: 'aaaaaaaa2', name: 'read', arguments: '{}' },
        { type: 'function_call_output', call_id: 'aaaaaaaa2', output: 'more' },
        { type: 'message', role: 'user', content: 'stop, do something else' },
      ],
    });
    expect(sent.messages.map((message) => message.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'system',
      'assistant',
      'tool',
      'assistant',
      'user',
    ]);
    expect(sent.messages[3]).toEqual({ role: 'assistant', content: TOOL_RESULTS_BRIDGE });
  });

  it('leaves tool → assistant and tool → tool alone', () => {
    const messages = [
      { role: 'tool' as const, tool_call_id: 'a', content: '1' },
      { role: 'tool' as const, tool_call_id: 'b', content: '2' },
      { role: 'assistant' as const, content: 'done' },
    ];
    expect(bridgeToolResults(messages)).toEqual(messages);
  });
});

describe('Mistral stream', () => {
  it('reads thinking content chunks as reasoning, then text, then usage', () => {
    const { events, output, response } = streamThrough(mistralProvider, [
      chunk({ role: 'assistant', content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'Let me ' }] }] }),
      chunk({ content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'think.' }] }] }),
      chunk({ content: 'Hello' }),
      chunk({ content: [{ type: 'text', text: ' there' }] }),
      chunk({ content: '' }, 'stop', { usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 } }),
    ]);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('Let me think.');
    expect(deltaText(events, 'response.output_text.delta')).toBe('Hello there');
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.usage).toMatchObject({ input_tokens: 20, output_tokens: 9, total_tokens: 29 });
  });
});

describe('Mistral reasoning effort', () => {
  it('sends reasoning_effort high/none only to models with adjustable reasoning', () => {
    expect(
      chatBodyFor(mistralProvider, { model: 'mistral-small-latest', input: 'x', reasoning: { effort: 'medium' } })
        .reasoning_effort,
    ).toBe('high');
    expect(
      chatBodyFor(mistralProvider, { model: 'mistral-small-latest', input: 'x', reasoning: { effort: 'none' } })
        .reasoning_effort,
    ).toBe('none');
    expect(
      chatBodyFor(mistralProvider, { model: 'magistral-medium-latest', input: 'x', reasoning: { effort: 'high' } }),
    ).not.toHaveProperty('reasoning_effort');
    expect(
      chatBodyFor(mistralProvider, { model: 'mistral-large-latest', input: 'x', reasoning: { effort: 'high' } }),
    ).not.toHaveProperty('reasoning_effort');
  });
});

describe('Mistral errors', () => {
  it('reports 422 extra_forbidden as a rejected request and maps context overflow', () => {
    const forbidden = {
      object: 'error',
      message: {
        detail: [{ type: 'extra_forbidden', loc: ['body', 'stream_options'], msg: 'Extra inputs are not permitted' }],
      },
      type: 'invalid_request_error',
      code: null,
    };
    expect(classify(mistralProvider, 422, forbidden).code).toBe('invalid_request');
    const overflow = {
      object: 'error',
      message:
        'Prompt contains 140000 tokens and 0 draft tokens, too large for model with 131072 maximum context length',
      type: 'invalid_request_error',
      code: null,
    };
    expect(classify(mistralProvider, 400, overflow).code).toBe('context_length_exceeded');
  });
});
