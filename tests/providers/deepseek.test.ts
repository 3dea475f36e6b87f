/**
 * DeepSeek: thinking switch and effort, reasoning passed back byte for byte
 * on tool-call turns, forced tool use relaxed, cache usage fields, DSML
 * markup repaired into tool calls, error bodies.
 */
import { describe, expect, it } from 'vitest';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { MISSING_REASONING_PLACEHOLDER } from '../../src/providers/request-shaping.js';
import type { ChatAssistantMessage } from '../../src/translate/chat-types.js';
import {
  APPLY_PATCH_TOOL,
  chatBodyFor,
  chunk,
  classify,
  contentChunks,
  deltaText,
  functionTool,
  streamThrough,
} from './support.js';

const MODEL = 'deepseek-v4-pro';

function withEffort(effort: string | undefined, model = MODEL) {
  return chatBodyFor(deepseekProvider, { model, input: 'hi', ...(effort ? { reasoning: { effort } } : {}) });
}

describe('DeepSeek reasoning effort', () => {
  it('turns thinking off for "none" and sends no effort', () => {
    const body = withEffort('none');
    expect(body.thinking).toEqual({ type: 'disabled' });
    expect(body.reasoning_effort).toBeUndefined();
  });

  it('maps efforts onto low/high/max with thinking on', () => {
    const cases: Array<[string, string]> = [
      ['minimal', 'low'],
      ['low', 'low'],
      ['medium', 'high'],
      ['high', 'high'],
      ['xhigh', 'max'],
      ['max', 'max'],
    ];
    for (const [requested, sent] of cases) {
      const body = withEffort(requested);
      expect(body.thinking, requested).toEqual({ type: 'enabled' });
      expect(body.reasoning_effort, requested).toBe(sent);
    }
  });

  it('sends nothing when no effort is asked, and nothing to the pre-V4 names', () => {
    expect(withEffort(undefined)).not.toHaveProperty('thinking');
    expect(withEffort(undefined)).not.toHaveProperty('reasoning_effort');
    const legacy = withEffort('high', 'deepseek-chat');
    expect(legacy).not.toHaveProperty('thinking');
    expect(legacy).not.toHaveProperty('reasoning_effort');
  });
});

const REASONING = 'Let me look at the file first.\n  Ünïcode ✓ and trailing spaces  ';

/** A Codex history: a tool-using turn with reasoning, then a text-only turn with reasoning. */
function history(reasoningText: string | undefined) {
  return [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'read a.md' }] },
    ...(reasoningText === undefined
      ? []
      : [
          {
            type: 'reasoning',
            id: 'rs_1',
            summary: [{ type: 'summary_text', text: reasoningText }],
            content: [{ type: 'reasoning_text', text: reasoningText }],
            encrypted_content: null,
          },
        ]),
    { type: 'function_call', id: 'fc_1', call_id: 'call_00_abc', name: 'read', arguments: '{"path":"a.md"}' },
    { type: 'function_call_output', call_id: 'call_00_abc', output: 'contents' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'It says contents.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'thanks' }] },
    {
      type: 'reasoning',
      id: 'rs_2',
      summary: [],
      content: [{ type: 'reasoning_text', text: 'Just reply.' }],
      encrypted_content: null,
    },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'You are welcome.' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'next' }] },
  ];
}

function assistants(body: { messages: unknown[] }): ChatAssistantMessage[] {
  return body.messages.filter(
    (message): message is ChatAssistantMessage => (message as { role: string }).role === 'assistant',
  );
}

describe('DeepSeek reasoning passback', () => {
  it('sends reasoning_content byte for byte on the tool-call turn and not on a text-only turn', () => {
    const body = chatBodyFor(deepseekProvider, {
      model: MODEL,
      input: history(REASONING),
      tools: [functionTool('read')],
    });
    const [toolTurn, answer, textOnly] = assistants(body);
    expect(toolTurn!.tool_calls![0]!.id).toBe('call_00_abc');
    expect(toolTurn!.reasoning_content).toBe(REASONING);
    expect(answer).not.toHaveProperty('reasoning_content');
    expect(textOnly).not.toHaveProperty('reasoning_content');
  });

  it('fills a placeholder when a tool-call turn has no reasoning while thinking', () => {
    const body = chatBodyFor(deepseekProvider, {
      model: MODEL,
      input: history(undefined),
      tools: [functionTool('read')],
    });
    expect(assistants(body)[0]!.reasoning_content).toBe(MISSING_REASONING_PLACEHOLDER);
  });

  it('sends no reasoning at all with thinking off', () => {
    const body = chatBodyFor(deepseekProvider, {
      model: MODEL,
      input: history(REASONING),
      tools: [functionTool('read')],
      reasoning: { effort: 'none' },
    });
    for (const message of assistants(body)) expect(message).not.toHaveProperty('reasoning_content');
  });

  it('round-trips reasoning streamed as reasoning_content into the next request unchanged', () => {
    const pieces = ['First', ', read ', 'the file.\n', '  Ok.  '];
    const tools = [functionTool('read')];
    const streamed = streamThrough(
      deepseekProvider,
      [
        ...pieces.map((piece) => chunk({ reasoning_content: piece })),
        chunk({
          tool_calls: [{ index: 0, id: 'call_00_x1', type: 'function', function: { name: 'read', arguments: '' } }],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":"a.md"}' } }] }),
        chunk({}, 'tool_calls', { usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } }),
      ],
      { model: MODEL, tools },
    );
    const next = chatBodyFor(deepseekProvider, {
      model: MODEL,
      tools,
      input: [
        { type: 'message', role: 'user', content: 'read a.md' },
        ...streamed.output,
        { type: 'function_call_output', call_id: 'call_00_x1', output: 'contents' },
      ],
    });
    const toolTurn = assistants(next)[0]!;
    expect(toolTurn.reasoning_content).toBe(pieces.join(''));
    expect(toolTurn.tool_calls).toEqual([
      { id: 'call_00_x1', type: 'function', function: { name: 'read', arguments: '{"path":"a.md"}' } },
    ]);
  });
});

describe('DeepSeek tool_choice', () => {
  const tools = [functionTool('read')];
  it('relaxes "required" and a named function to "auto" in thinking mode', () => {
    expect(
      chatBodyFor(deepseekProvider, { model: MODEL, input: 'x', tools, tool_choice: 'required' }).tool_choice,
    ).toBe('auto');
    expect(
      chatBodyFor(deepseekProvider, {
        model: MODEL,
        input: 'x',
        tools,
        tool_choice: { type: 'function', name: 'read' },
      }).tool_choice,
    ).toBe('auto');
    expect(
      chatBodyFor(deepseekProvider, { model: 'deepseek-reasoner', input: 'x', tools, tool_choice: 'required' })
        .tool_choice,
    ).toBe('auto');
  });

  it('keeps "required" when thinking is off', () => {
    expect(
      chatBodyFor(deepseekProvider, {
        model: MODEL,
        input: 'x',
        tools,
        tool_choice: 'required',
        reasoning: { effort: 'none' },
      }).tool_choice,
    ).toBe('required');
    expect(
      chatBodyFor(deepseekProvider, { model: 'deepseek-chat', input: 'x', tools, tool_choice: 'required' }).tool_choice,
    ).toBe('required');
  });
});

describe('DeepSeek usage', () => {
  it('reads usage from the final finish chunk, with cache hits as cached tokens', () => {
    const { response } = streamThrough(deepseekProvider, [
      chunk({ content: 'ok' }),
      chunk({}, 'stop', {
        usage: {
          prompt_tokens: 1200,
          completion_tokens: 80,
          total_tokens: 1280,
          prompt_tokens_details: { cached_tokens: 1024 },
          prompt_cache_hit_tokens: 1024,
          prompt_cache_miss_tokens: 176,
          completion_tokens_details: { reasoning_tokens: 50 },
        },
      }),
    ]);
    expect(response.usage).toEqual({
      input_tokens: 1200,
      input_tokens_details: { cached_tokens: 1024, cache_write_tokens: 0 },
      output_tokens: 80,
      output_tokens_details: { reasoning_tokens: 50 },
      total_tokens: 1280,
    });
  });

  it('adds hits and misses when prompt_tokens is missing', () => {
    const usage = deepseekProvider.hooks.normalizeUsage({
      completion_tokens: 10,
      prompt_cache_hit_tokens: 64,
      prompt_cache_miss_tokens: 36,
    });
    expect(usage).toEqual({
      inputTokens: 100,
      cachedInputTokens: 64,
      cacheWriteTokens: 0,
      outputTokens: 10,
      reasoningTokens: 0,
      totalTokens: 110,
    });
  });
});

const DSML_V4 = [
  'I will read it.\n\n',
  '<｜DSML｜tool_calls>\n',
  '<｜DSML｜invoke name="read">\n',
  '<｜DSML｜parameter name="path" string="true">notes/007.md</｜DSML｜parameter>\n',
  '<｜DSML｜parameter name="limit" string="false">20</｜DSML｜parameter>\n',
  '</｜DSML｜invoke>\n',
  '</｜DSML｜tool_calls>',
].join('');

/** Cuts text into pieces of `size` characters. */
function pieces(text: string, size: number): string[] {
  const result: string[] = [];
  for (let index = 0; index < text.length; index += size) result.push(text.slice(index, index + size));
  return result;
}

describe('DeepSeek DSML tool calls leaked into content', () => {
  const tools = [functionTool('read', { path: { type: 'string' }, limit: { type: 'number' } })];

  it.each([1, 3, 7, 1000])('repairs a V4 tool_calls block streamed %i characters at a time', (size) => {
    const { events, output, response } = streamThrough(
      deepseekProvider,
      [...contentChunks(...pieces(DSML_V4, size)), chunk({}, 'stop')],
      { model: MODEL, tools },
    );
    expect(response.status).toBe('completed');
    expect(deltaText(events, 'response.output_text.delta')).toBe('I will read it.\n\n');
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(output[1]).toMatchObject({ type: 'function_call', name: 'read', status: 'completed' });
    expect(JSON.parse((output[1] as { arguments: string }).arguments)).toEqual({ path: 'notes/007.md', limit: 20 });
  });

  it('repairs the V3.2 function_calls form with two invokes, and an apply_patch input', () => {
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch';
    const text = [
      '<｜DSML｜function_calls>\n',
      '<｜DSML｜invoke name="read">\n<｜DSML｜parameter name="path" string="true">a.md</｜DSML｜parameter>\n</｜DSML｜invoke>\n',
      `<｜DSML｜invoke name="apply_patch">\n<｜DSML｜parameter name="input" string="true">${patch}</｜DSML｜parameter>\n</｜DSML｜invoke>\n`,
      '</｜DSML｜function_calls>\n',
    ].join('');
    const { output } = streamThrough(deepseekProvider, [...contentChunks(...pieces(text, 5)), chunk({}, 'stop')], {
      model: MODEL,
      tools: [...tools, APPLY_PATCH_TOOL],
    });
    expect(output.map((item) => item.type)).toEqual(['function_call', 'custom_tool_call']);
    expect(output[1]).toMatchObject({ name: 'apply_patch', input: patch });
  });

  it('leaves markup naming a tool the request does not have as text', () => {
    const { output, events } = streamThrough(
      deepseekProvider,
      [...contentChunks(...pieces(DSML_V4, 4)), chunk({}, 'stop')],
      { model: MODEL, tools: [functionTool('write')] },
    );
    expect(output.map((item) => item.type)).toEqual(['message']);
    expect(deltaText(events, 'response.output_text.delta')).toBe(DSML_V4);
  });

  it('repairs a block whose closing tag never came when the stream ends', () => {
    const text = DSML_V4.replace('</｜DSML｜tool_calls>', '');
    const { output } = streamThrough(deepseekProvider, [...contentChunks(text), chunk({}, 'stop')], {
      model: MODEL,
      tools,
    });
    expect(output.map((item) => item.type)).toEqual(['message', 'function_call']);
  });
});

describe('DeepSeek errors', () => {
  it('maps 402 Insufficient Balance to insufficient_quota', () => {
    const failure = classify(deepseekProvider, 402, {
      error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' },
    });
    expect(failure.code).toBe('insufficient_quota');
  });

  it('maps the context-length 400 to context_length_exceeded', () => {
    const body = {
      error: {
        message:
          "This model's maximum context length is 131072 tokens. However, you requested 140000 tokens (135000 in the messages, 5000 in the completion). Please reduce the length of the messages or completion.",
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request_error',
      },
    };
    expect(classify(deepseekProvider, 400, body).code).toBe('context_length_exceeded');
  });

  it('maps 503 Server Overloaded and 429 with its delay', () => {
    expect(
      classify(deepseekProvider, 503, { error: { message: 'Server overloaded, please try again later' } }).code,
    ).toBe('server_is_overloaded');
    const rate = classify(deepseekProvider, 429, { error: { message: 'Rate Limit Reached' } }, 3);
    expect(rate).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSeconds: 3 });
    expect(rate.message).toMatch(/try again in 3s/);
  });

  it('explains the missing-reasoning 400', () => {
    const failure = classify(deepseekProvider, 400, {
      error: {
        message: 'The `reasoning_content` in the thinking mode must be passed back to the API.',
        type: 'invalid_request_error',
      },
    });
    expect(failure.code).toBe('invalid_request');
    expect(failure.message).toMatch(/keep the reasoning items/);
  });
});
