/**
 * xAI: reasoning tokens reported outside completion_tokens (recordings),
 * whole tool calls in one chunk, reasoning_effort only where a
 * model takes it, reasoning not sent back, error bodies with a string error.
 */
import { describe, expect, it } from 'vitest';
import { xaiProvider } from '../../src/providers/xai.js';
import {
  assistantMessages,
  cassetteOrSkip,
  chatBodyFor,
  classify,
  deltaText,
  functionTool,
  streamThrough,
} from './support.js';

const WEATHER = functionTool('weather', { location: { type: 'string' } });

describe('xAI stream (recordings)', () => {
  it('grok-3-mini: reasoning, a whole tool call, and reasoning tokens added to output tokens', (context) => {
    const [first] = cassetteOrSkip(context, 'TestOpenAICompatibleThinking/xai-grok-3-mini/thinking-streaming.yaml');
    const { events, output, response } = streamThrough(xaiProvider, first!.chunks, {
      model: 'grok-3-mini',
      tools: [WEATHER],
    });
    expect(deltaText(events, 'response.reasoning_text.delta')).toMatch(/^First, the user is asking/);
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(output[1]).toMatchObject({ call_id: 'call_45048949', arguments: '{"location":"Florence, Italy"}' });
    // Recorded: prompt 288, completion 27, reasoning 313, total 628 (= 288 + 27 + 313).
    expect(response.usage).toEqual({
      input_tokens: 288,
      input_tokens_details: { cached_tokens: 287, cache_write_tokens: 0 },
      output_tokens: 340,
      output_tokens_details: { reasoning_tokens: 313 },
      total_tokens: 628,
    });
  });

  it('grok-code-fast-1: the same accounting without visible reasoning', (context) => {
    const [first] = cassetteOrSkip(context, 'TestOpenAICompatibleCommon/xai-grok-code-fast/tool_streaming.yaml');
    const { response } = streamThrough(xaiProvider, first!.chunks, { model: 'grok-code-fast-1', tools: [WEATHER] });
    expect(response.usage).toMatchObject({ input_tokens: 390, output_tokens: 26 + 77, total_tokens: 493 });
  });

  it('leaves usage alone when reasoning tokens are already inside completion_tokens', () => {
    const usage = xaiProvider.hooks.normalizeUsage({
      prompt_tokens: 10,
      completion_tokens: 30,
      total_tokens: 40,
      completion_tokens_details: { reasoning_tokens: 20 },
    });
    expect(usage).toMatchObject({ outputTokens: 30, totalTokens: 40, reasoningTokens: 20 });
  });
});

describe('xAI request', () => {
  it('sends reasoning_effort only to models that take it', () => {
    expect(
      chatBodyFor(xaiProvider, { model: 'grok-3-mini', input: 'x', reasoning: { effort: 'high' } }).reasoning_effort,
    ).toBe('high');
    expect(
      chatBodyFor(xaiProvider, { model: 'grok-3-mini', input: 'x', reasoning: { effort: 'minimal' } }).reasoning_effort,
    ).toBe('low');
    expect(
      chatBodyFor(xaiProvider, { model: 'grok-4.3', input: 'x', reasoning: { effort: 'none' } }).reasoning_effort,
    ).toBe('none');
    for (const model of ['grok-4', 'grok-code-fast-1', 'grok-4-1-fast-reasoning', 'grok-next-unknown']) {
      expect(chatBodyFor(xaiProvider, { model, input: 'x', reasoning: { effort: 'high' } }), model).not.toHaveProperty(
        'reasoning_effort',
      );
    }
  });

  it('does not send reasoning back', () => {
    const sent = chatBodyFor(xaiProvider, {
      model: 'grok-3-mini',
      tools: [WEATHER],
      input: [
        { type: 'message', role: 'user', content: 'weather?' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'Call it.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: '40 C' },
      ],
    });
    expect(assistantMessages(sent)[0]).not.toHaveProperty('reasoning_content');
  });
});

describe('xAI errors', () => {
  it('reads the string error field: prompt too long and rate limits', () => {
    const long = {
      code: 'Client specified an invalid argument',
      error: "This model's maximum prompt length is 131072 but the request contains 140231 tokens.",
    };
    expect(classify(xaiProvider, 400, long).code).toBe('context_length_exceeded');
    expect(classify(xaiProvider, 429, { code: 'Too many requests', error: 'Rate limit exceeded' }, 4)).toMatchObject({
      code: 'rate_limit_exceeded',
      retryAfterSeconds: 4,
    });
  });
});
