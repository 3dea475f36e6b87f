/**
 * Kimi / Moonshot: thinking control per model family, reasoning required on
 * tool-call messages, fixed sampling from K2.5 on, usage in
 * `choices[0].usage`, ◁think▷ tags, `functions.<name>:<n>` ids, errors.
 */
import { describe, expect, it } from 'vitest';
import { kimiProvider } from '../../src/providers/kimi.js';
import { MISSING_REASONING_PLACEHOLDER } from '../../src/providers/request-shaping.js';
import type { ChatAssistantMessage, ChatRequest } from '../../src/translate/chat-types.js';
import { chatBodyFor, chunk, classify, contentChunks, deltaText, functionTool, streamThrough } from './support.js';

function body(model: string, extra: Record<string, unknown> = {}): ChatRequest {
  return chatBodyFor(kimiProvider, { model, input: 'hi', ...extra });
}

describe('Kimi thinking control', () => {
  it('switches K2.5/K2.6 with thinking {type}, never with reasoning_effort', () => {
    for (const model of ['kimi-k2.6', 'kimi-k2.5']) {
      expect(body(model, { reasoning: { effort: 'none' } })).toMatchObject({ thinking: { type: 'disabled' } });
      const on = body(model, { reasoning: { effort: 'medium' } });
      expect(on.thinking).toEqual({ type: 'enabled' });
      expect(on).not.toHaveProperty('reasoning_effort');
    }
  });

  it('gives K3 reasoning_effort low/high/max and never "none"', () => {
    expect(body('kimi-k3', { reasoning: { effort: 'low' } }).reasoning_effort).toBe('low');
    expect(body('kimi-k3', { reasoning: { effort: 'medium' } }).reasoning_effort).toBe('high');
    expect(body('kimi-k3.1-pro', { reasoning: { effort: 'xhigh' } }).reasoning_effort).toBe('max');
    const none = body('kimi-k3', { reasoning: { effort: 'none' } });
    expect(none).not.toHaveProperty('reasoning_effort');
    expect(none).not.toHaveProperty('thinking');
  });

  it('sends no control to models that always or never think', () => {
    for (const model of ['kimi-k2.7-code', 'kimi-k2-thinking', 'kimi-k2-0905-preview', 'moonshot-v1-8k']) {
      const sent = body(model, { reasoning: { effort: 'high' } });
      expect(sent, model).not.toHaveProperty('thinking');
      expect(sent, model).not.toHaveProperty('reasoning_effort');
    }
  });

  it('uses max_completion_tokens', () => {
    const sent = body('kimi-k2.6', { max_output_tokens: 4096 });
    expect(sent.max_completion_tokens).toBe(4096);
    expect(sent).not.toHaveProperty('max_tokens');
  });
});

function toolHistory(reasoning: string | undefined) {
  return [
    { type: 'message', role: 'user', content: 'list files' },
    ...(reasoning === undefined
      ? []
      : [{ type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: reasoning }] }]),
    { type: 'function_call', call_id: 'functions.shell:0', name: 'shell', arguments: '{"cmd":"ls"}' },
    { type: 'function_call_output', call_id: 'functions.shell:0', output: 'a.md' },
  ];
}

function firstAssistant(request: ChatRequest): ChatAssistantMessage {
  return request.messages.find((message) => message.role === 'assistant') as ChatAssistantMessage;
}

describe('Kimi reasoning on tool-call messages', () => {
  const tools = [functionTool('shell', { cmd: { type: 'string' } })];

  it('sends the reasoning back unchanged with the unchanged functions.<name>:<n> id', () => {
    const reasoning = 'I should run ls.\n\nThen report. ';
    const sent = firstAssistant(body('kimi-k2.6', { input: toolHistory(reasoning), tools }));
    expect(sent.reasoning_content).toBe(reasoning);
    expect(sent.tool_calls![0]!.id).toBe('functions.shell:0');
  });

  it('fills a placeholder while thinking and leaves it out when thinking is off', () => {
    expect(firstAssistant(body('kimi-k2.6', { input: toolHistory(undefined), tools })).reasoning_content).toBe(
      MISSING_REASONING_PLACEHOLDER,
    );
    expect(firstAssistant(body('kimi-k3', { input: toolHistory(undefined), tools })).reasoning_content).toBe(
      MISSING_REASONING_PLACEHOLDER,
    );
    const off = firstAssistant(
      body('kimi-k2.6', { input: toolHistory(undefined), tools, reasoning: { effort: 'none' } }),
    );
    expect(off).not.toHaveProperty('reasoning_content');
  });

  it('relaxes forced tool use while thinking', () => {
    expect(body('kimi-k2.6', { tools, tool_choice: 'required' }).tool_choice).toBe('auto');
    expect(body('kimi-k2.6', { tools, tool_choice: 'required', reasoning: { effort: 'none' } }).tool_choice).toBe(
      'required',
    );
  });
});

describe('Kimi fixed sampling', () => {
  it('drops temperature and top_p from K2.5 on and keeps them for moonshot-v1', () => {
    for (const model of ['kimi-k2.5', 'kimi-k2.6', 'kimi-k2.7-code', 'kimi-k3']) {
      const sent = body(model, { temperature: 0.3, top_p: 0.5 });
      expect(sent, model).not.toHaveProperty('temperature');
      expect(sent, model).not.toHaveProperty('top_p');
    }
    expect(body('moonshot-v1-32k', { temperature: 0.3, top_p: 0.5 })).toMatchObject({ temperature: 0.3, top_p: 0.5 });
  });
});

describe('Kimi stream', () => {
  it('reads usage from choices[0].usage, with Moonshot cached_tokens', () => {
    const usage = { prompt_tokens: 900, completion_tokens: 40, total_tokens: 940, cached_tokens: 512 };
    const { response } = streamThrough(kimiProvider, [
      chunk({ reasoning_content: 'hm' }),
      chunk({ content: 'done' }),
      {
        id: 'x',
        object: 'chat.completion.chunk',
        model: 'kimi-k2.6',
        choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage }],
      },
    ]);
    expect(response.usage).toMatchObject({
      input_tokens: 900,
      input_tokens_details: { cached_tokens: 512 },
      output_tokens: 40,
      total_tokens: 940,
    });
  });

  it('splits ◁think▷ reasoning out of the content', () => {
    const { events } = streamThrough(kimiProvider, [
      ...contentChunks('◁thi', 'nk▷plan◁/th', 'ink▷', 'Answer'),
      chunk({}, 'stop'),
    ]);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('plan');
    expect(deltaText(events, 'response.output_text.delta')).toBe('Answer');
  });

  it('keeps the functions.<name>:<n> call id as the Responses call_id', () => {
    const { output } = streamThrough(
      kimiProvider,
      [
        chunk({
          tool_calls: [
            { index: 0, id: 'functions.shell:0', type: 'function', function: { name: 'shell', arguments: '' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"cmd": "ls"}' } }] }),
        chunk({}, 'tool_calls'),
      ],
      { model: 'kimi-k2.6', tools: [functionTool('shell', { cmd: { type: 'string' } })] },
    );
    expect(output[0]).toMatchObject({ type: 'function_call', call_id: 'functions.shell:0', name: 'shell' });
  });
});

describe('Kimi errors', () => {
  it('maps engine_overloaded_error (sent as 429) to server_is_overloaded', () => {
    const failure = classify(kimiProvider, 429, {
      error: { message: 'The engine is currently overloaded, please try again later', type: 'engine_overloaded_error' },
    });
    expect(failure.code).toBe('server_is_overloaded');
  });

  it('maps exceeded_current_quota_error to insufficient_quota', () => {
    const failure = classify(kimiProvider, 429, {
      error: {
        message: 'Your account is suspended, please check your plan and billing details',
        type: 'exceeded_current_quota_error',
      },
    });
    expect(failure.code).toBe('insufficient_quota');
  });

  it('maps rate_limit_reached_error with its delay, and the token-limit 400', () => {
    const rate = classify(kimiProvider, 429, {
      error: {
        message: 'Your account reached max request, please try again after 2 seconds',
        type: 'rate_limit_reached_error',
      },
    });
    expect(rate).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSeconds: 2 });
    const context = classify(kimiProvider, 400, {
      error: {
        message: 'Invalid request: Your request exceeded model token limit: 262144',
        type: 'invalid_request_error',
      },
    });
    expect(context.code).toBe('context_length_exceeded');
  });
});
