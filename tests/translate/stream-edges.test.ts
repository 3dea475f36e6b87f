/** The stream state machine at the edges: how a stream ends, output after the finish reason, repeated call ids. */
import { describe, expect, it } from 'vitest';
import { kimiProvider } from '../../src/providers/kimi.js';
import { toMistralToolCallId } from '../../src/providers/mistral.js';
import {
  deltaChunk,
  finishChunk,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { runChunks, translatorFor } from '../support/translator.js';

const READ_TOOL = {
  type: 'function',
  name: 'read_file',
  parameters: { type: 'object', properties: { path: { type: 'string' } } },
};
const PATCH_TOOL = { type: 'custom', name: 'apply_patch', description: 'Edit files.' };

const outputOf = (events: Array<Record<string, any>>) =>
  (events.at(-1)!.response as any).output as Array<Record<string, any>>;

describe('how the stream ended', () => {
  it('completes as stop on [DONE] without a finish reason', () => {
    const { translator } = translatorFor({});
    const events = [
      ...runChunks(translator, [...textChunks('OK'), usageChunk(9, 1)], false),
      ...translator.finish('done'),
    ];
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(outputOf(events)[0]).toMatchObject({ type: 'message', status: 'completed' });
  });

  it('completes as tool_calls on [DONE] when every call is whole, custom tools included', () => {
    const { translator } = translatorFor({ tools: [READ_TOOL, PATCH_TOOL] });
    runChunks(
      translator,
      [
        ...toolCallChunks(0, 'call_a', 'read_file', '{"path":"a"}'),
        ...toolCallChunks(1, 'call_b', 'apply_patch', '{"input":"*** Begin Patch"}'),
      ],
      false,
    );
    const events = translator.finish('done');
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(outputOf(events).map((item) => item.type)).toEqual(['function_call', 'custom_tool_call']);
  });

  it('fails on [DONE] when the last call is cut off, and on a body that just stops', () => {
    const cut = translatorFor({ tools: [READ_TOOL] }).translator;
    runChunks(
      cut,
      [
        ...toolCallChunks(0, 'call_a', 'read_file', '{"path":"a"}'),
        ...toolCallChunks(1, 'call_b', 'read_file', '{"pa'),
      ],
      false,
    );
    expect(cut.finish('done').at(-1)).toMatchObject({
      type: 'response.failed',
      response: { error: { code: 'server_error' } },
    });

    const stopped = translatorFor({}).translator;
    runChunks(stopped, textChunks('OK'), false);
    expect(stopped.finish().at(-1)!.type).toBe('response.failed');
  });
});

describe('output after the finish reason', () => {
  it('ignores text, reasoning and tool calls after it and says so once', () => {
    const { translator, notes } = translatorFor({ tools: [READ_TOOL] });
    const events = runChunks(translator, [
      deltaChunk({ content: 'done' }, 'stop'),
      ...textChunks(' and more'),
      ...reasoningChunks('second thoughts'),
      ...toolCallChunks(0, 'call_late', 'read_file', '{"path":"x"}'),
      usageChunk(4, 2),
    ]);
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(outputOf(events)).toEqual([
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'done' })] }),
    ]);
    expect((events.at(-1)!.response as any).usage).toMatchObject({ input_tokens: 4, output_tokens: 2 });
    expect(notes).toEqual([
      {
        level: 'warn',
        message: "ignored 4 upstream chunk(s) with content, reasoning, tool_calls sent after finish_reason 'stop'",
      },
    ]);
  });

  it('says nothing about an empty repeat of the finish chunk carrying usage (Kimi)', () => {
    const { translator, notes } = translatorFor({});
    const events = runChunks(translator, [
      ...textChunks('hi'),
      deltaChunk({ content: '', role: 'assistant' }, 'stop'),
      {
        ...(deltaChunk({ content: '', role: 'assistant' }, 'stop') as object),
        usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      },
    ]);
    expect((events.at(-1)!.response as any).usage).toMatchObject({ total_tokens: 4 });
    expect(notes).toEqual([]);
  });
});

describe('repeated tool-call ids in one turn', () => {
  it('counts a trailing number on (Kimi ids keep their functions.name:N shape)', () => {
    const { translator } = translatorFor({ tools: [READ_TOOL] }, kimiProvider);
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'functions.read_file:0', 'read_file', '{"path":"a"}'),
      ...toolCallChunks(1, 'functions.read_file:0', 'read_file', '{"path":"b"}'),
      ...toolCallChunks(2, 'functions.read_file:1', 'read_file', '{"path":"c"}'),
      finishChunk('tool_calls'),
    ]);
    expect(outputOf(events).map((item) => item.call_id)).toEqual([
      'functions.read_file:0',
      'functions.read_file:1',
      'functions.read_file:2',
    ]);
  });

  it('keeps the width of the number, so Mistral ids stay nine characters', () => {
    const { translator } = translatorFor({ tools: [READ_TOOL] });
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'aB3dE0009', 'read_file', '{}'),
      ...toolCallChunks(1, 'aB3dE0009', 'read_file', '{}'),
      finishChunk('tool_calls'),
    ]);
    const ids = outputOf(events).map((item) => item.call_id);
    expect(ids).toEqual(['aB3dE0009', 'aB3dE0010']);
    expect(ids.map(toMistralToolCallId)).toEqual(ids);
  });

  it('appends _2 to other ids, and splits calls that repeat one id without an index', () => {
    const { translator } = translatorFor({ tools: [READ_TOOL] });
    const events = runChunks(translator, [
      deltaChunk({
        tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }],
      }),
      deltaChunk({
        tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } }],
      }),
      finishChunk('tool_calls'),
    ]);
    expect(outputOf(events).map((item) => [item.call_id, item.arguments])).toEqual([
      ['call_x', '{"path":"a"}'],
      ['call_x_2', '{"path":"b"}'],
    ]);
  });
});
