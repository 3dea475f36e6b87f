/**
 * GLM (Z.ai): thinking switched by the reasoning effort per model family,
 * reasoning_content round trip (on a recorded coding-endpoint stream), forced
 * tool use relaxed, the standard and coding-plan endpoints, and error 1113.
 */
import { describe, expect, it } from 'vitest';
import { glmCodingProvider, glmProvider } from '../../src/providers/glm.js';
import { findProviderProfile } from '../../src/providers/index.js';
import type { ChatRequest } from '../../src/translate/chat-types.js';
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

function body(model: string, extra: Record<string, unknown> = {}): ChatRequest {
  return chatBodyFor(glmProvider, { model, input: 'hi', ...extra });
}

describe('GLM endpoints', () => {
  it('has a profile per key type, on the documented base URLs', () => {
    expect(glmProvider.defaultBaseUrl).toBe('https://api.z.ai/api/paas/v4');
    expect(glmCodingProvider.defaultBaseUrl).toBe('https://api.z.ai/api/coding/paas/v4');
    expect(glmCodingProvider.models).toEqual(glmProvider.models);
    expect(findProviderProfile('zai')?.id).toBe('glm');
    expect(findProviderProfile('Zhipu')?.id).toBe('glm');
    expect(findProviderProfile('zai-coding')?.id).toBe('glm-coding');
  });

  it('lists context windows: 1M from GLM-5.2, 200K for GLM-4.6 to GLM-5.1, 128K for GLM-4.5', () => {
    const window = (id: string) => glmProvider.models.find((model) => model.id === id)?.contextWindow;
    expect(window('glm-5.3')).toBe(1_048_576);
    expect(window('glm-5.2')).toBe(1_048_576);
    expect(window('glm-5.1')).toBe(200_000);
    expect(window('glm-4.7')).toBe(200_000);
    expect(window('glm-4.5')).toBe(131_072);
  });
});

describe('GLM thinking', () => {
  it('turns thinking on explicitly for every effort but none (GLM-4.5 to GLM-5.1)', () => {
    for (const model of ['glm-4.6', 'glm-4.7', 'glm-5.1', 'glm-4.7-flash']) {
      expect(body(model, { reasoning: { effort: 'medium' } }), model).toMatchObject({ thinking: { type: 'enabled' } });
      expect(body(model, { reasoning: { effort: 'none' } }), model).toMatchObject({ thinking: { type: 'disabled' } });
      expect(body(model, { reasoning: { effort: 'high' } }), model).not.toHaveProperty('reasoning_effort');
    }
  });

  it('adds reasoning_effort high or max on GLM-5.2', () => {
    expect(body('glm-5.2', { reasoning: { effort: 'medium' } })).toMatchObject({
      thinking: { type: 'enabled' },
      reasoning_effort: 'high',
    });
    expect(body('glm-5.2', { reasoning: { effort: 'xhigh' } })).toMatchObject({
      thinking: { type: 'enabled' },
      reasoning_effort: 'max',
    });
    const off = body('glm-5.2', { reasoning: { effort: 'none' } });
    expect(off.thinking).toEqual({ type: 'disabled' });
    expect(off).not.toHaveProperty('reasoning_effort');
  });

  it('sets only reasoning_effort from GLM-5.3, where thinking cannot be turned off', () => {
    expect(body('glm-5.3', { reasoning: { effort: 'low' } })).toMatchObject({ reasoning_effort: 'low' });
    expect(body('glm-5.3', { reasoning: { effort: 'medium' } }).reasoning_effort).toBe('high');
    const none = body('glm-5.3', { reasoning: { effort: 'none' } });
    expect(none).not.toHaveProperty('thinking');
    expect(none).not.toHaveProperty('reasoning_effort');
  });

  it('relaxes forced tool use to auto', () => {
    expect(body('glm-4.7', { tools: [WEATHER], tool_choice: 'required' }).tool_choice).toBe('auto');
  });
});

describe('GLM stream and round trip (recorded, coding endpoint)', () => {
  it('reads reasoning_content, text and the tool call, then sends the reasoning back unchanged', (context) => {
    const [first] = cassetteOrSkip(context, 'TestOpenAICompatibleThinking/zai-glm-4-7-flash/thinking-streaming.yaml');
    const { events, output, response } = streamThrough(glmCodingProvider, first!.chunks, {
      model: 'glm-4.7-flash',
      tools: [WEATHER],
    });
    const reasoning = first!.chunks.map((chunk: any) => chunk.choices?.[0]?.delta?.reasoning_content ?? '').join('');
    expect(reasoning).toMatch(/^The user is asking about the weather in Florence/);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe(reasoning);
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(output[2]).toMatchObject({
      call_id: 'call_330c741a86144cb7a385bc6d',
      name: 'weather',
      arguments: '{"location":"Florence"}',
    });
    expect(response.usage).toMatchObject({
      input_tokens: 173,
      output_tokens: 87,
      output_tokens_details: { reasoning_tokens: 63 },
    });

    const next = chatBodyFor(glmCodingProvider, {
      model: 'glm-4.7-flash',
      tools: [WEATHER],
      reasoning: { effort: 'high' },
      input: [
        { type: 'message', role: 'user', content: "What's the weather in Florence, Italy?" },
        ...output,
        { type: 'function_call_output', call_id: 'call_330c741a86144cb7a385bc6d', output: '40 C' },
      ],
    });
    expect(next.thinking).toEqual({ type: 'enabled' });
    const [assistant] = assistantMessages(next);
    expect(assistant).toMatchObject({
      reasoning_content: reasoning,
      tool_calls: [{ id: 'call_330c741a86144cb7a385bc6d' }],
    });
  });
});

describe('GLM errors', () => {
  it('explains 1113 (a key used on the other endpoint) as insufficient_quota', () => {
    const failure = classify(glmProvider, 429, {
      error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' },
    });
    expect(failure.code).toBe('insufficient_quota');
    expect(failure.message).toMatch(/--provider glm-coding/);
  });

  it('leaves other errors to the generic mapping', () => {
    expect(
      classify(glmProvider, 429, { error: { code: '1302', message: 'High concurrency usage of this API' } }).code,
    ).toBe('rate_limit_exceeded');
  });
});
