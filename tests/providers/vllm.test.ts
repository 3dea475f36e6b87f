/** vLLM: thinking through chat_template_kwargs, validated effort levels, `reasoning` field, system first, no key. */
import { describe, expect, it } from 'vitest';
import { vllmProvider } from '../../src/providers/vllm.js';
import { chatBodyFor, chunk, deltaText, streamThrough } from './support.js';

describe('vLLM', () => {
  it('switches thinking with chat_template_kwargs and sends only low/medium/high as reasoning_effort', () => {
    const cases: Array<[string, boolean, string | undefined]> = [
      ['none', false, undefined],
      ['minimal', true, 'low'],
      ['medium', true, 'medium'],
      ['xhigh', true, 'high'],
    ];
    for (const [requested, thinking, effort] of cases) {
      const sent = chatBodyFor(vllmProvider, { model: 'Qwen/Qwen3-32B', input: 'x', reasoning: { effort: requested } });
      expect(sent.chat_template_kwargs, requested).toEqual({ enable_thinking: thinking, thinking });
      expect(sent.reasoning_effort, requested).toBe(effort);
    }
  });

  it('reads reasoning from `reasoning` (current) and `reasoning_content` (older releases)', () => {
    for (const field of ['reasoning', 'reasoning_content']) {
      const { events } = streamThrough(vllmProvider, [
        chunk({ [field]: 'plan' }),
        chunk({ content: 'ok' }),
        chunk({}, 'stop'),
      ]);
      expect(deltaText(events, 'response.reasoning_text.delta'), field).toBe('plan');
    }
  });

  it('fails the response on an in-stream {"object":"error"} with the code Codex acts on', () => {
    const error = {
      object: 'error',
      message: "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.",
      type: 'BadRequestError',
      param: null,
      code: 400,
    };
    const { response } = streamThrough(vllmProvider, [chunk({ content: 'par' }), error]);
    expect(response.status).toBe('failed');
    expect(response.error?.code).toBe('context_length_exceeded');
  });

  it('keeps one system message first, is local and needs no key', () => {
    const sent = chatBodyFor(vllmProvider, {
      instructions: 'A',
      input: [
        { type: 'message', role: 'user', content: 'u' },
        { type: 'message', role: 'developer', content: 'B' },
      ],
    });
    expect(sent.messages.map((message) => message.role)).toEqual(['system', 'user', 'user']);
    expect(vllmProvider).toMatchObject({
      local: true,
      requiresApiKey: false,
      defaultBaseUrl: 'http://127.0.0.1:8000/v1',
    });
  });
});
