/**
 * llama.cpp server: a recorded gpt-oss exchange (reasoning_content, tool-call
 * fragments with a 32-character id, usage next to `timings`), reasoning sent
 * back as the recorded client did, thinking through chat_template_kwargs.
 */
import { describe, expect, it } from 'vitest';
import { llamaCppProvider } from '../../src/providers/llama-cpp.js';
import { assistantMessages, cassetteOrSkip, chatBodyFor, functionTool, streamThrough } from './support.js';

const WEATHER = functionTool('weather', { location: { type: 'string' } });

describe('llama.cpp server (recorded gpt-oss exchange)', () => {
  it('streams reasoning and a fragmented tool call, reads cached tokens from timings.cache_n', (context) => {
    const [first, second] = cassetteOrSkip(
      context,
      'TestOpenAICompatibleThinking/llama-cpp-gpt-oss/thinking-streaming.yaml',
    );
    const model = first!.requestBody.model as string;
    const { output, response } = streamThrough(llamaCppProvider, first!.chunks, { model, tools: [WEATHER] });
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(output[1]).toMatchObject({
      call_id: '1wNpqrejg1FCTjf6xq8JRCGKgWZO74AL',
      arguments: '{"location":"Florence, Italy"}',
    });
    // Recorded: prompt 139 tokens of which timings.cache_n = 138 came from the cache.
    expect(response.usage).toMatchObject({
      input_tokens: 139,
      input_tokens_details: { cached_tokens: 138 },
      output_tokens: 42,
      total_tokens: 181,
    });

    const next = chatBodyFor(llamaCppProvider, {
      model,
      tools: [WEATHER],
      input: [
        { type: 'message', role: 'user', content: 'weather?' },
        ...output,
        { type: 'function_call_output', call_id: '1wNpqrejg1FCTjf6xq8JRCGKgWZO74AL', output: '40 C' },
      ],
    });
    const recorded = (second!.requestBody.messages as Array<Record<string, any>>).find(
      (message) => message.role === 'assistant',
    )!;
    const sent = assistantMessages(next)[0]!;
    expect(sent.reasoning_content).toBe(recorded.reasoning_content);
    expect(sent.tool_calls).toEqual(recorded.tool_calls);
  });
});

describe('llama.cpp thinking control', () => {
  it('switches thinking with chat_template_kwargs and passes levels as reasoning_effort', () => {
    const on = chatBodyFor(llamaCppProvider, { input: 'x', reasoning: { effort: 'high' } });
    expect(on.chat_template_kwargs).toEqual({ enable_thinking: true, thinking: true });
    expect(on.reasoning_effort).toBe('high');
    const off = chatBodyFor(llamaCppProvider, { input: 'x', reasoning: { effort: 'none' } });
    expect(off.chat_template_kwargs).toEqual({ enable_thinking: false, thinking: false });
    expect(off).not.toHaveProperty('reasoning_effort');
    expect(chatBodyFor(llamaCppProvider, { input: 'x', reasoning: { effort: 'max' } }).reasoning_effort).toBe('high');
  });

  it('keeps usage as given when it already names cached tokens', () => {
    const usage = {
      prompt_tokens: 10,
      completion_tokens: 2,
      total_tokens: 12,
      prompt_tokens_details: { cached_tokens: 4 },
    };
    expect(llamaCppProvider.hooks.readUsage({ choices: [], usage, timings: { cache_n: 9 } })).toEqual(usage);
  });
});
