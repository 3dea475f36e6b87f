/**
 * Qwen (DashScope compatible mode): enable_thinking per model, system
 * messages first, forced tool use relaxed while thinking, usage in a
 * trailing `choices: []` chunk, DashScope's own error words.
 */
import { describe, expect, it } from 'vitest';
import { qwenProvider } from '../../src/providers/qwen.js';
import { chatBodyFor, chunk, classify, deltaText, functionTool, streamThrough } from './support.js';

describe('Qwen thinking', () => {
  it('switches hybrid models with enable_thinking and leaves other models alone', () => {
    expect(
      chatBodyFor(qwenProvider, { model: 'qwen-plus', input: 'x', reasoning: { effort: 'none' } }).enable_thinking,
    ).toBe(false);
    expect(
      chatBodyFor(qwenProvider, { model: 'qwen-plus', input: 'x', reasoning: { effort: 'low' } }).enable_thinking,
    ).toBe(true);
    for (const model of ['qwen3-coder-plus', 'qwq-plus', 'qwen-some-new-model']) {
      expect(chatBodyFor(qwenProvider, { model, input: 'x', reasoning: { effort: 'high' } }), model).not.toHaveProperty(
        'enable_thinking',
      );
    }
    expect(
      chatBodyFor(qwenProvider, { model: 'qwen-plus', input: 'x', reasoning: { effort: 'high' } }),
    ).not.toHaveProperty('reasoning_effort');
  });

  it('relaxes forced tool use while thinking only', () => {
    const tools = [functionTool('read')];
    expect(
      chatBodyFor(qwenProvider, {
        model: 'qwen-plus',
        input: 'x',
        tools,
        tool_choice: 'required',
        reasoning: { effort: 'high' },
      }).tool_choice,
    ).toBe('auto');
    expect(
      chatBodyFor(qwenProvider, {
        model: 'qwen-plus',
        input: 'x',
        tools,
        tool_choice: 'required',
        reasoning: { effort: 'none' },
      }).tool_choice,
    ).toBe('required');
  });

  it('always streams upstream, which open Qwen3 thinking models require', () => {
    expect(chatBodyFor(qwenProvider, { model: 'qwen3-235b-a22b', input: 'x', stream: false }).stream).toBe(true);
  });
});

describe('Qwen messages', () => {
  it('does not send reasoning back', () => {
    const sent = chatBodyFor(qwenProvider, {
      model: 'qwen-plus',
      input: [
        { type: 'message', role: 'user', content: 'x' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'thought' }] },
        { type: 'message', role: 'assistant', content: 'y' },
        { type: 'message', role: 'user', content: 'z' },
      ],
    });
    expect(sent.messages[1]).toEqual({ role: 'assistant', content: 'y' });
  });

  it('keeps one system message first and turns later ones into user text', () => {
    const sent = chatBodyFor(qwenProvider, {
      model: 'qwen-plus',
      instructions: 'Base rules.',
      input: [
        { type: 'message', role: 'developer', content: 'Permissions.' },
        { type: 'message', role: 'user', content: 'hi' },
        { type: 'message', role: 'developer', content: 'Later note.' },
      ],
    });
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Base rules.\n\nPermissions.' },
      { role: 'user', content: 'hi' },
      { role: 'user', content: '[System message]\nLater note.' },
    ]);
  });
});

describe('Qwen stream', () => {
  it('reads reasoning_content and usage from a trailing choices: [] chunk', () => {
    const { events, response } = streamThrough(qwenProvider, [
      chunk({ role: 'assistant', content: '', reasoning_content: 'Think.' }),
      chunk({ content: 'Answer.' }),
      chunk({}, 'stop'),
      {
        id: 'chatcmpl-q',
        object: 'chat.completion.chunk',
        choices: [],
        usage: {
          prompt_tokens: 50,
          completion_tokens: 12,
          total_tokens: 62,
          prompt_tokens_details: { cached_tokens: 32 },
          completion_tokens_details: { reasoning_tokens: 4 },
        },
      },
    ]);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('Think.');
    expect(response.usage).toMatchObject({
      input_tokens: 50,
      input_tokens_details: { cached_tokens: 32 },
      output_tokens: 12,
      total_tokens: 62,
    });
  });
});

describe('Qwen errors', () => {
  it('maps "Range of input length" to context_length_exceeded', () => {
    const body = {
      error: {
        message: '<400> InternalError.Algo.InvalidParameter: Range of input length should be [1, 129024]',
        type: 'invalid_request_error',
        code: 'invalid_parameter_error',
      },
    };
    expect(classify(qwenProvider, 400, body).code).toBe('context_length_exceeded');
  });

  it('maps Arrearage to insufficient_quota and Throttling to a rate limit', () => {
    expect(
      classify(qwenProvider, 400, {
        error: {
          message: 'Access denied, please make sure your account is in good standing.',
          type: 'Arrearage',
          code: 'Arrearage',
        },
      }).code,
    ).toBe('insufficient_quota');
    expect(
      classify(qwenProvider, 429, {
        error: { message: 'Requests rate limit exceeded, please try again later.', code: 'Throttling.RateQuota' },
      }).code,
    ).toBe('rate_limit_exceeded');
  });
});
