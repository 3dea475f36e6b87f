/**
 * The generic profile (and the defaults every profile starts from):
 * reasoning from every field and from think tags cut anywhere across chunks,
 * `<tool_call>` markup repaired into tool calls, strict field lists.
 */
import { describe, expect, it } from 'vitest';
import { defineProvider } from '../../src/providers/define-provider.js';
import { genericProvider } from '../../src/providers/generic.js';
import type { ContentSegment } from '../../src/translate/stream/content-splitter.js';
import { ToolMarkupSplitter } from '../../src/translate/stream/tool-markup-splitter.js';
import { chatBodyFor, chunk, contentChunks, deltaText, functionTool, streamThrough } from './support.js';

/** Every way of cutting `text` into two chunks. */
function everySplit(text: string): Array<[string, string]> {
  const splits: Array<[string, string]> = [];
  for (let index = 1; index < text.length; index++) splits.push([text.slice(0, index), text.slice(index)]);
  return splits;
}

describe('reasoning read from every field', () => {
  it.each([
    ['reasoning_content', { reasoning_content: 'think' }],
    ['reasoning', { reasoning: 'think' }],
    ['reasoning_details', { reasoning_details: [{ type: 'reasoning.text', text: 'think', index: 0 }] }],
    ['Mistral thinking chunks', { content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'think' }] }] }],
  ])('from %s', (_name, delta) => {
    const { events, output } = streamThrough(genericProvider, [
      chunk(delta),
      chunk({ content: 'answer' }),
      chunk({}, 'stop'),
    ]);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('think');
    expect(output.map((item) => item.type)).toEqual(['reasoning', 'message']);
  });
});

describe('think tags in content', () => {
  it.each([
    ['<think>', '</think>'],
    ['<thinking>', '</thinking>'],
    ['◁think▷', '◁/think▷'],
  ])('splits %s…%s out as reasoning wherever the chunks are cut', (open, close) => {
    const text = `${open}step one, step two${close}\n\nThe answer.`;
    for (const [first, second] of everySplit(text)) {
      const { events, output } = streamThrough(genericProvider, [...contentChunks(first, second), chunk({}, 'stop')]);
      const label = JSON.stringify([first, second]);
      expect(deltaText(events, 'response.reasoning_text.delta'), label).toBe('step one, step two');
      expect(deltaText(events, 'response.output_text.delta'), label).toBe('The answer.');
      expect(
        output.map((item) => item.type),
        label,
      ).toEqual(['reasoning', 'message']);
    }
  });

  it('splits a tag cut into single characters', () => {
    const text = '<think>abc</think>Done';
    const { events } = streamThrough(genericProvider, [...contentChunks(...text.split('')), chunk({}, 'stop')]);
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('abc');
    expect(deltaText(events, 'response.output_text.delta')).toBe('Done');
  });

  it('leaves a tag that is not at the start of the answer alone', () => {
    const { events, output } = streamThrough(genericProvider, [
      ...contentChunks('Use <think> tags like <think>x</think>.'),
      chunk({}, 'stop'),
    ]);
    expect(output.map((item) => item.type)).toEqual(['message']);
    expect(deltaText(events, 'response.output_text.delta')).toBe('Use <think> tags like <think>x</think>.');
  });
});

function runSplitter(pieces: readonly string[], known: readonly string[]): ContentSegment[] {
  const splitter = new ToolMarkupSplitter(new Set(known));
  const segments = [...pieces.flatMap((piece) => splitter.push(piece)), ...splitter.flush()];
  // Adjacent text segments are one text for the reader.
  const merged: ContentSegment[] = [];
  for (const segment of segments) {
    const last = merged[merged.length - 1];
    if (segment.kind === 'text' && last?.kind === 'text') last.text += segment.text;
    else merged.push({ ...segment });
  }
  return merged;
}

describe('<tool_call> markup leaked into content', () => {
  const shapes: Array<[string, string]> = [
    ['Hermes/Qwen JSON', '<tool_call>\n{"name": "read", "arguments": {"path": "a.md", "limit": 5}}\n</tool_call>'],
    [
      'Qwen3-Coder',
      '<tool_call>\n<function=read>\n<parameter=path>\na.md\n</parameter>\n<parameter=limit>\n5\n</parameter>\n</function>\n</tool_call>',
    ],
    [
      'GLM',
      '<tool_call>read\n<arg_key>path</arg_key>\n<arg_value>a.md</arg_value>\n<arg_key>limit</arg_key>\n<arg_value>5</arg_value>\n</tool_call>',
    ],
  ];

  it.each(shapes)('repairs the %s shape wherever it is cut', (_name, block) => {
    const text = `Reading.\n${block}\n`;
    for (const [first, second] of everySplit(text)) {
      const segments = runSplitter([first, second], ['read']);
      const label = JSON.stringify([first, second]);
      expect(
        segments.map((segment) => segment.kind),
        label,
      ).toEqual(['text', 'tool_call']);
      expect(segments[0], label).toEqual({ kind: 'text', text: 'Reading.\n' });
      const call = segments[1] as { name: string; arguments: string };
      expect(call.name, label).toBe('read');
      expect(JSON.parse(call.arguments), label).toEqual({ path: 'a.md', limit: 5 });
    }
  });

  it('keeps prose about <tool_call> as text, released as soon as it cannot be a call', () => {
    const splitter = new ToolMarkupSplitter(new Set(['read']));
    expect(splitter.push('Models emit a <tool_call> block ')).toEqual([{ kind: 'text', text: 'Models emit a ' }]);
    expect(splitter.push('when calling.')).toEqual([{ kind: 'text', text: '<tool_call> block when calling.' }]);
    expect(splitter.push(' A <tool_call>? Yes.')).toEqual([{ kind: 'text', text: ' A <tool_call>? Yes.' }]);
    expect(splitter.flush()).toEqual([]);
  });

  it('holds back only what could still open a block', () => {
    const splitter = new ToolMarkupSplitter(new Set(['read']));
    expect(splitter.push('a < b and <tool')).toEqual([{ kind: 'text', text: 'a < b and ' }]);
    expect(splitter.push('s>')).toEqual([{ kind: 'text', text: '<tools>' }]);
  });

  it('turns two blocks in a row into two calls and drops the whitespace between them', () => {
    const block = '<tool_call>{"name": "read", "arguments": {"path": "a"}}</tool_call>';
    const segments = runSplitter([`${block}\n\n${block}\n`], ['read']);
    expect(segments.map((segment) => segment.kind)).toEqual(['tool_call', 'tool_call']);
  });

  it('streams a repaired call as a function_call item', () => {
    const text = '<tool_call>\n{"name": "read", "arguments": {"path": "a.md"}}\n</tool_call>';
    const { output } = streamThrough(
      genericProvider,
      [...contentChunks(text.slice(0, 9), text.slice(9)), chunk({}, 'stop')],
      { tools: [functionTool('read')] },
    );
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ type: 'function_call', name: 'read', arguments: '{"path":"a.md"}' });
  });
});

describe('generic request shaping', () => {
  it('sends reasoning back as reasoning_content and asks for usage', () => {
    const body = chatBodyFor(genericProvider, {
      input: [
        { type: 'message', role: 'user', content: 'x' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'r' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'y' }] },
        { type: 'message', role: 'user', content: 'z' },
      ],
    });
    expect(body.messages[1]).toEqual({ role: 'assistant', content: 'y', reasoning_content: 'r' });
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it('keeps only allowed top-level fields, whatever the hooks added', () => {
    const strict = defineProvider({
      id: 'strict',
      displayName: 'Strict',
      allowedRequestFields: ['model', 'messages', 'stream'],
      hooks: { finalizeRequest: (request) => ({ ...request, extra_field: true }) },
    });
    const body = chatBodyFor(strict, { input: 'x', temperature: 0.2, max_output_tokens: 10 });
    expect(Object.keys(body).sort()).toEqual(['messages', 'model', 'stream']);
  });
});
