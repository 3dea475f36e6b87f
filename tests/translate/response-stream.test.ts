/** The stream state machine, fed chunk arrays. */
import { describe, expect, it } from 'vitest';
import {
  deltaChunk,
  finishChunk,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { eventTypes, runChunks, type TestEvent, translatorFor } from '../support/translator.js';

const EXEC_TOOL = {
  type: 'function',
  name: 'exec_command',
  parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
};
const PATCH_TOOL = {
  type: 'custom',
  name: 'apply_patch',
  description: 'Edit files.',
  format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
};

describe('ResponseStreamTranslator', () => {
  it('emits the full event sequence for plain text', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [...textChunks('a', 'b'), finishChunk('stop'), usageChunk(3, 2)]);
    expect(eventTypes(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1)!.response as any;
    expect(completed.output).toEqual([
      {
        type: 'message',
        id: 'msg_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'ab', annotations: [], logprobs: [] }],
      },
    ]);
    expect(completed.usage).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5,
    });
    expect(completed.error).toBeNull();
    expect(completed.incomplete_details).toBeNull();
    expect(completed.completed_at).toBe(1_700_000_001);
  });

  it('streams tool-call argument fragments as they arrive and closes each call when the next starts', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_a', 'exec_command', '{"cmd":', '"ls"}'),
      ...toolCallChunks(1, 'call_b', 'exec_command', '{"cmd":"pwd"}'),
      finishChunk('tool_calls'),
    ]);
    const types = eventTypes(events);
    const firstDone = types.indexOf('response.output_item.done');
    const secondAdded = types.lastIndexOf('response.output_item.added');
    expect(firstDone).toBeLessThan(secondAdded);
    const deltas = events
      .filter((event) => event.type === 'response.function_call_arguments.delta')
      .map((event) => event.delta);
    expect(deltas).toEqual(['{"cmd":', '"ls"}', '{"cmd":"pwd"}']);
    const output = (events.at(-1)!.response as any).output;
    expect(output).toEqual([
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_a',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
        status: 'completed',
      },
      {
        type: 'function_call',
        id: 'fc_2',
        call_id: 'call_b',
        name: 'exec_command',
        arguments: '{"cmd":"pwd"}',
        status: 'completed',
      },
    ]);
  });

  it('keeps interleaved parallel fragments with their own call until the arguments parse', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      deltaChunk({
        tool_calls: [
          { index: 0, id: 'call_a', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":' } },
        ],
      }),
      deltaChunk({
        tool_calls: [
          { index: 1, id: 'call_b', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":' } },
        ],
      }),
      deltaChunk({ tool_calls: [{ index: 0, function: { arguments: '"one"}' } }] }),
      deltaChunk({ tool_calls: [{ index: 1, function: { arguments: '"two"}' } }] }),
      finishChunk('tool_calls'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => [item.call_id, item.arguments])).toEqual([
      ['call_a', '{"cmd":"one"}'],
      ['call_b', '{"cmd":"two"}'],
    ]);
  });

  it('treats a new id at the same index as a new call (whole calls at index 0)', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      deltaChunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"a"}' } },
        ],
      }),
      deltaChunk({
        tool_calls: [
          { index: 0, id: 'call_2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"b"}' } },
        ],
      }),
      finishChunk('tool_calls'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => item.call_id)).toEqual(['call_1', 'call_2']);
  });

  it('accepts calls without an index (Gemini) and generates ids when missing', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      deltaChunk({
        tool_calls: [{ id: 'g1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"a"}' } }],
      }),
      deltaChunk({ tool_calls: [{ type: 'function', function: { name: 'exec_command', arguments: '{}' } }] }),
      finishChunk('tool_calls'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output).toHaveLength(2);
    expect(output[0].call_id).toBe('g1');
    expect(output[1].call_id).toBe('call_1');
  });

  it('orders reasoning, text and tool calls as separate items', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      ...reasoningChunks('think'),
      ...textChunks('Running it.'),
      ...toolCallChunks(0, 'call_x', 'exec_command', '{"cmd":"ls"}'),
      finishChunk('tool_calls'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(output[0]).toEqual({
      type: 'reasoning',
      id: 'rs_1',
      summary: [{ type: 'summary_text', text: 'think' }],
      content: [{ type: 'reasoning_text', text: 'think' }],
      encrypted_content: null,
      status: 'completed',
    });
    const reasoningEvents = eventTypes(events).filter(
      (type) => type.includes('reasoning') || type.startsWith('response.content_part'),
    );
    expect(reasoningEvents.slice(0, 4)).toEqual([
      'response.reasoning_summary_part.added',
      'response.content_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_text.delta',
    ]);
  });

  it('reads usage from choices[0].usage and from x_groq, keeping the last one', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      ...textChunks('x'),
      {
        choices: [
          {
            index: 0,
            delta: {},
            finish_reason: 'stop',
            usage: { prompt_tokens: 10, completion_tokens: 1, total_tokens: 11 },
          },
        ],
      },
      { choices: [], x_groq: { usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } } },
    ]);
    expect((events.at(-1)!.response as any).usage.total_tokens).toBe(14);
  });

  it('reads DeepSeek cache hits as cached tokens', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      ...textChunks('x'),
      finishChunk('stop'),
      usageChunk(100, 5, { prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 }),
    ]);
    expect((events.at(-1)!.response as any).usage.input_tokens_details.cached_tokens).toBe(64);
  });

  it('reports finish_reason length as incomplete, with the cut tool call marked incomplete', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_cut', 'exec_command', '{"cmd":"l'),
      finishChunk('length'),
    ]);
    const terminal = events.at(-1)!;
    expect(terminal.type).toBe('response.incomplete');
    expect((terminal.response as any).incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect((terminal.response as any).output[0].status).toBe('incomplete');
  });

  it('reports content_filter as incomplete', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [...textChunks('x'), finishChunk('content_filter')]);
    expect((events.at(-1)!.response as any).incomplete_details).toEqual({ reason: 'content_filter' });
  });

  it('fails on an error chunk in the middle of the stream, keeping only finished items', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      ...textChunks('partial'),
      { error: { message: 'Rate limit exceeded, try again in 2s', code: 429 } },
    ]);
    const failed = events.find((event) => event.type === 'response.failed')!;
    expect(events.at(-1)).toBe(failed);
    expect((failed.response as any).error).toEqual({
      code: 'rate_limit_exceeded',
      message: expect.stringContaining('try again in 2s'),
    });
    expect((failed.response as any).output).toEqual([]);
  });

  it('fails on OpenRouter finish_reason "error" after HTTP 200', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      {
        error: { code: 502, message: 'Provider returned error' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      },
    ]);
    expect(events.at(-1)!.type).toBe('response.failed');
  });

  it('fails closed when the stream ends without a finish reason', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, textChunks('no end'));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect((events.at(-1)!.response as any).error.code).toBe('server_error');
  });

  it('completes when [DONE] is missing but a finish reason came', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [...textChunks('ok'), finishChunk('stop')]);
    expect(events.at(-1)!.type).toBe('response.completed');
  });

  it('emits nothing after the terminal event', () => {
    const { translator } = translatorFor({});
    runChunks(translator, [...textChunks('ok'), finishChunk('stop')]);
    expect(translator.onChunk(textChunks('late')[0]!)).toEqual([]);
    expect(translator.finish()).toEqual([]);
    expect(translator.heartbeat()).toEqual([]);
  });

  it('returns a custom tool call with the raw input, streaming the decoded input', () => {
    const { translator } = translatorFor({ tools: [PATCH_TOOL] });
    const patch = '*** Begin Patch\n*** Add File: a.txt\n+"quoted" \\ back\n*** End Patch\n';
    const encoded = JSON.stringify({ input: patch });
    const pieces = [encoded.slice(0, 7), encoded.slice(7, 30), encoded.slice(30, 31), encoded.slice(31)];
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_p', 'apply_patch', ...pieces),
      finishChunk('tool_calls'),
    ]);
    const streamed = events
      .filter((event) => event.type === 'response.custom_tool_call_input.delta')
      .map((event) => event.delta)
      .join('');
    expect(streamed).toBe(patch);
    const done = events.find((event) => event.type === 'response.custom_tool_call_input.done')!;
    expect(done.input).toBe(patch);
    expect((events.at(-1)!.response as any).output[0]).toEqual({
      type: 'custom_tool_call',
      id: 'ctc_1',
      call_id: 'call_p',
      name: 'apply_patch',
      input: patch,
      status: 'completed',
    });
  });

  it('maps flattened namespace calls back to namespace + bare name', () => {
    const { translator, chatBody } = translatorFor({
      tools: [
        {
          type: 'namespace',
          name: 'mcp__docs__',
          description: 'Docs server',
          tools: [{ type: 'function', name: 'search', parameters: { type: 'object' } }],
        },
      ],
    });
    const flatName = chatBody.tools[0].function.name;
    expect(flatName).toBe('mcp__docs__search');
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_n', flatName, '{"q":"x"}'),
      finishChunk('tool_calls'),
    ]);
    expect((events.at(-1)!.response as any).output[0]).toMatchObject({
      type: 'function_call',
      namespace: 'mcp__docs__',
      name: 'search',
    });
  });

  it('returns tool_search calls as tool_search_call items with parsed arguments', () => {
    const { translator } = translatorFor({
      tools: [{ type: 'tool_search', execution: 'client', description: 'Find tools' }],
    });
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_s', 'tool_search', '{"query":"calendar","limit":3}'),
      finishChunk('tool_calls'),
    ]);
    expect((events.at(-1)!.response as any).output[0]).toEqual({
      type: 'tool_search_call',
      id: 'tsc_1',
      call_id: 'call_s',
      execution: 'client',
      arguments: { query: 'calendar', limit: 3 },
      status: 'completed',
    });
    expect(eventTypes(events)).not.toContain('response.function_call_arguments.delta');
  });

  it('splits <think> reasoning out of content, even with tags cut across chunks', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      ...textChunks('<thi', 'nk>plan', ' it</th', 'ink>\n\nAnswer'),
      finishChunk('stop'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output[0].content).toEqual([{ type: 'reasoning_text', text: 'plan it' }]);
    expect(output[1].content[0].text).toBe('Answer');
  });

  it('reads Mistral thinking chunks as reasoning', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      deltaChunk({ content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] }] }),
      deltaChunk({ content: [{ type: 'text', text: 'done' }] }),
      finishChunk('stop'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => item.type)).toEqual(['reasoning', 'message']);
    expect(output[0].content[0].text).toBe('hmm');
  });

  it('carries OpenRouter reasoning_details, merged by index, in encrypted_content', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      deltaChunk({
        reasoning: 'a',
        reasoning_details: [{ type: 'reasoning.text', text: 'a', format: 'anthropic-claude-v1', index: 0 }],
      }),
      deltaChunk({
        reasoning: 'b',
        reasoning_details: [{ type: 'reasoning.text', text: 'b', format: 'anthropic-claude-v1', index: 0 }],
      }),
      deltaChunk({
        reasoning_details: [{ type: 'reasoning.text', signature: 'sig', format: 'anthropic-claude-v1', index: 0 }],
      }),
      ...textChunks('x'),
      finishChunk('stop'),
    ]);
    const reasoning = (events.at(-1)!.response as any).output[0];
    expect(reasoning.content[0].text).toBe('ab');
    const envelope = JSON.parse(Buffer.from(reasoning.encrypted_content.slice(4), 'base64url').toString());
    expect(envelope.details).toEqual([
      { type: 'reasoning.text', text: 'ab', format: 'anthropic-claude-v1', index: 0, signature: 'sig' },
    ]);
  });

  it('puts Gemini thought signatures of tool calls in a trailing reasoning item', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      deltaChunk({
        tool_calls: [
          {
            id: 'g1',
            type: 'function',
            function: { name: 'exec_command', arguments: '{"cmd":"ls"}' },
            extra_content: { google: { thought_signature: 'SIG' } },
          },
        ],
      }),
      finishChunk('tool_calls'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => item.type)).toEqual(['function_call', 'reasoning']);
    const envelope = JSON.parse(Buffer.from(output[1].encrypted_content.slice(4), 'base64url').toString());
    expect(envelope.signatures).toEqual({ g1: 'SIG' });
  });

  it('emits empty-argument calls as {}', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [...toolCallChunks(0, 'call_e', 'exec_command'), finishChunk('tool_calls')]);
    expect((events.at(-1)!.response as any).output[0].arguments).toBe('{}');
  });

  it('heartbeats carry the items streamed so far', () => {
    const { translator } = translatorFor({});
    translator.start();
    translator.onChunk(textChunks('so far')[0]!);
    const [heartbeat] = translator.heartbeat() as TestEvent[];
    expect(heartbeat!.type).toBe('response.in_progress');
    expect((heartbeat!.response as any).output).toEqual([
      {
        type: 'message',
        id: 'msg_1',
        status: 'in_progress',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'so far', annotations: [], logprobs: [] }],
      },
    ]);
  });

  it('treats a whole non-streaming completion (message instead of delta) the same way', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      {
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'whole', reasoning_content: 'why' },
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      },
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => item.type)).toEqual(['reasoning', 'message']);
    expect(output[1].content[0].text).toBe('whole');
  });
});

describe('whitespace between items', () => {
  it('does not open a message for blanks between parallel tool calls (Kimi)', () => {
    const { translator } = translatorFor({ tools: [EXEC_TOOL] });
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'functions.exec_command:0', 'exec_command', '{"cmd":"a"}'),
      deltaChunk({ content: ' ' }),
      deltaChunk({ content: '\n' }),
      ...toolCallChunks(1, 'functions.exec_command:1', 'exec_command', '{"cmd":"b"}'),
      finishChunk('tool_calls'),
    ]);
    const output = (events.at(-1)!.response as any).output;
    expect(output.map((item: any) => item.type)).toEqual(['function_call', 'function_call']);
  });

  it('keeps leading whitespace once real text follows', () => {
    const { translator } = translatorFor({});
    const events = runChunks(translator, [
      deltaChunk({ content: '\n' }),
      deltaChunk({ content: 'Hi' }),
      finishChunk('stop'),
    ]);
    expect((events.at(-1)!.response as any).output[0].content[0].text).toBe('\nHi');
  });
});
