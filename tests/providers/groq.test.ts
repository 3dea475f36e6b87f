/**
 * Groq: usage repeated in x_groq.usage, top level and a trailing chunk
 * counted once (recording), reasoning never sent back, only known
 * fields, effort per model family, TPM 413 as a context overflow.
 */
import { describe, expect, it } from 'vitest';
import { groqProvider } from '../../src/providers/groq.js';
import {
  assistantMessages,
  cassetteOrSkip,
  chatBodyFor,
  chunk,
  classify,
  deltaText,
  functionTool,
  streamThrough,
} from './support.js';

const WEATHER = functionTool('weather', { location: { type: 'string' } });

describe('Groq stream (recording)', () => {
  it('counts usage repeated in x_groq.usage, top level and a trailing chunk once', (context) => {
    const [first] = cassetteOrSkip(context, 'TestOpenAICompatibleCommon/groq-kimi-k2/tool_streaming.yaml');
    const { output, response } = streamThrough(groqProvider, first!.chunks, {
      model: first!.requestBody.model,
      tools: [WEATHER],
    });
    expect(response.status).toBe('completed');
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(output[1]).toMatchObject({
      call_id: 'functions.weather:0',
      name: 'weather',
      arguments: '{"location":"Florence,Italy"}',
    });
    expect(response.usage).toEqual({
      input_tokens: 93,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 32,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 125,
    });
  });

  it('reads reasoning from the `reasoning` field', () => {
    const { events } = streamThrough(groqProvider, [
      chunk({ reasoning: 'Need the tool.' }),
      chunk({ content: 'ok' }),
      chunk({}, 'stop'),
    ]);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('Need the tool.');
  });
});

describe('Groq request', () => {
  const history = [
    { type: 'message', role: 'user', content: 'weather?' },
    { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'Call the tool.' }] },
    { type: 'function_call', call_id: 'functions.weather:0', name: 'weather', arguments: '{"location":"Rome"}' },
    { type: 'function_call_output', call_id: 'functions.weather:0', output: 'sunny' },
  ];

  it('never sends reasoning back and keeps tool calls to id/type/function', () => {
    const sent = chatBodyFor(groqProvider, { model: 'openai/gpt-oss-120b', input: history, tools: [WEATHER] });
    const assistant = assistantMessages(sent)[0]!;
    expect(Object.keys(assistant).sort()).toEqual(['content', 'role', 'tool_calls']);
    expect(assistant.tool_calls).toEqual([
      { id: 'functions.weather:0', type: 'function', function: { name: 'weather', arguments: '{"location":"Rome"}' } },
    ]);
  });

  it('uses max_completion_tokens and only fields Groq knows', () => {
    const sent = chatBodyFor(groqProvider, {
      model: 'llama-3.3-70b-versatile',
      input: 'x',
      max_output_tokens: 256,
      tools: [WEATHER],
      parallel_tool_calls: false,
    });
    expect(sent.max_completion_tokens).toBe(256);
    expect(Object.keys(sent).sort()).toEqual([
      'max_completion_tokens',
      'messages',
      'model',
      'parallel_tool_calls',
      'stream',
      'stream_options',
      'tools',
    ]);
  });

  it('maps effort per model: gpt-oss levels, Qwen3 none/default with parsed reasoning, nothing elsewhere', () => {
    expect(
      chatBodyFor(groqProvider, { model: 'openai/gpt-oss-20b', input: 'x', reasoning: { effort: 'high' } })
        .reasoning_effort,
    ).toBe('high');
    expect(
      chatBodyFor(groqProvider, { model: 'openai/gpt-oss-20b', input: 'x', reasoning: { effort: 'none' } }),
    ).not.toHaveProperty('reasoning_effort');
    expect(
      chatBodyFor(groqProvider, { model: 'qwen/qwen3-32b', input: 'x', reasoning: { effort: 'medium' } }),
    ).toMatchObject({ reasoning_effort: 'default', reasoning_format: 'parsed' });
    const off = chatBodyFor(groqProvider, { model: 'qwen/qwen3-32b', input: 'x', reasoning: { effort: 'none' } });
    expect(off.reasoning_effort).toBe('none');
    expect(off).not.toHaveProperty('reasoning_format');
    expect(
      chatBodyFor(groqProvider, { model: 'llama-3.3-70b-versatile', input: 'x', reasoning: { effort: 'high' } }),
    ).not.toHaveProperty('reasoning_effort');
  });
});

describe('Groq errors', () => {
  it('maps a 429 with "try again in 7.66s" to a rate limit with that delay', () => {
    const body = {
      error: {
        message:
          'Rate limit reached for model `openai/gpt-oss-120b` on tokens per minute (TPM): Limit 8000, Used 7900, Requested 500. Please try again in 7.66s.',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    };
    expect(classify(groqProvider, 429, body)).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSeconds: 7.66 });
  });

  it('maps a request larger than the per-minute limit (413) to context_length_exceeded so Codex compacts', () => {
    const body = {
      error: {
        message:
          'Request too large for model `qwen/qwen3-32b` on tokens per minute (TPM): Limit 6000, Requested 9000, please reduce your message size and try again.',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    };
    expect(classify(groqProvider, 413, body).code).toBe('context_length_exceeded');
  });

  it('maps 498 (no capacity) to server_is_overloaded and the reasoning 400 to a rejected request', () => {
    expect(classify(groqProvider, 498, { error: { message: 'Capacity exceeded' } }).code).toBe('server_is_overloaded');
    expect(
      classify(groqProvider, 400, {
        error: { message: "property 'reasoning_content' is unsupported", type: 'invalid_request_error' },
      }).code,
    ).toBe('invalid_request');
  });
});
