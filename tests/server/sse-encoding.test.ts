/**
 * SseEncoder builds hot events field by field and reuses the JSON of the
 * request's tools; its output must stay byte for byte what
 * `JSON.stringify(event)` gives. Every event the translator can produce is
 * run through both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { genericProvider } from '../../src/providers/generic.js';
import { SseEncoder } from '../../src/server/sse-encoding.js';
import { SseText } from '../../src/server/sse-text.js';
import { applyBatch } from '../../src/server/turn-stream.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { buildResponseEcho } from '../../src/translate/stream/response-object.js';
import { type ResponseStreamEvent, ResponseStreamTranslator } from '../../src/translate/stream/response-stream.js';
import {
  deltaChunk,
  finishChunk,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';

const TOOLS = [
  {
    type: 'function',
    name: 'exec_command',
    description: 'Run a command.',
    parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] },
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Edit files.',
    format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
  },
  {
    type: 'namespace',
    name: 'mcp__files__',
    description: 'Files.',
    tools: [{ type: 'function', name: 'read', parameters: { type: 'object', properties: {} } }],
  },
  {
    type: 'tool_search',
    execution: 'client',
    description: 'Find tools.',
    parameters: { type: 'object', properties: { query: { type: 'string' } } },
  },
];

/** Encodes `events` both ways the encoder can (a string; runs marked ASCII, as bytes) and checks them against JSON.stringify. */
function expectEncodedAsJsonStringify(encoder: SseEncoder, events: readonly ResponseStreamEvent[]): void {
  const expected = encodeWithJsonStringify(events);
  expect(encoder.encode(events)).toBe(expected);
  const text = new SseText();
  encoder.encodeInto(events, text);
  expect(text.toString()).toBe(expected);
  expect(text.toBytes().equals(Buffer.from(expected))).toBe(true);
}

/** The SSE text of events the plain way: `event: <type>` and `data: <JSON.stringify(event)>`. */
function encodeWithJsonStringify(events: readonly ResponseStreamEvent[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

function translatorFor(tools: unknown[]) {
  const body = {
    model: 'm',
    input: 'hi',
    stream: true,
    tools,
    reasoning: { effort: 'high', summary: 'auto' },
    metadata: { a: 'b' },
  };
  const { request, notes } = parseResponsesRequest(body);
  const built = buildChatRequest(request, genericProvider, 'm', notes);
  const echo = buildResponseEcho(request);
  let id = 0;
  const translator = new ResponseStreamTranslator({
    responseId: 'resp_1',
    createdAt: 1_700_000_000,
    createId: (prefix) => `${prefix}_${id++}`,
    now: () => 1_700_000_100,
    echo,
    names: built.names,
    hooks: genericProvider.hooks,
    classifyStreamError: () => ({ code: 'server_error', message: 'upstream error "quoted"' }),
  });
  return { translator, encoder: new SseEncoder(echo) };
}

/** Feeds `chunks` one read each (plus [DONE] unless told otherwise) and checks every read's encoding. */
function expectSameEncoding(
  chunks: Array<object | string>,
  options: { tools?: unknown[]; done?: boolean; heartbeatAfter?: number } = {},
): ResponseStreamEvent[] {
  const { translator, encoder } = translatorFor(options.tools ?? TOOLS);
  const all: ResponseStreamEvent[] = [];
  const check = (events: readonly ResponseStreamEvent[]) => {
    expectEncodedAsJsonStringify(encoder, events);
    all.push(...events);
  };
  check(translator.start());
  const payloads = [
    ...chunks.map((chunk) => (typeof chunk === 'string' ? chunk : JSON.stringify(chunk))),
    ...(options.done === false ? [] : ['[DONE]']),
  ];
  payloads.forEach((payload, index) => {
    check(applyBatch(translator, [payload]).events);
    if (index === options.heartbeatAfter) check(translator.heartbeat());
  });
  if (!translator.ended) check(translator.finish());
  return all;
}

describe('SseEncoder matches JSON.stringify', () => {
  it('for text with escapes, quotes, control characters and non-BMP characters', () => {
    const events = expectSameEncoding(
      [
        ...textChunks('Hel"lo', '\\path\n', '\u0000\u001f\u2028\u2029', 'café 🚀 𝄞', '</script>'),
        finishChunk('stop'),
        usageChunk(10, 5),
      ],
      { heartbeatAfter: 2 },
    );
    expect(events.map((event) => event.type)).toContain('response.output_text.delta');
    expect(events.at(-1)!.type).toBe('response.completed');
  });

  it('for reasoning, think tags and opaque reasoning details', () => {
    expectSameEncoding([
      ...reasoningChunks('Let me "think"', '\n…'),
      deltaChunk({ reasoning_details: [{ type: 'reasoning.encrypted', data: 'b64==', index: 0 }] }),
      ...textChunks('Answer.'),
      finishChunk('stop'),
    ]);
    expectSameEncoding([...textChunks('<think>hidden', ' plan</think>\n\nvisible'), finishChunk('stop')], {
      heartbeatAfter: 0,
    });
  });

  it('for function calls, namespaced calls, freeform calls and tool_search', () => {
    const events = expectSameEncoding([
      ...toolCallChunks(0, 'call_a', 'exec_command', '{"cmd":', '"ls \\"-la\\""}'),
      ...toolCallChunks(1, 'call_b', 'mcp__files__read', '{}'),
      ...toolCallChunks(2, 'call_c', 'apply_patch', '{"input":"*** Begin Patch\\n', '*** End Patch\\n"}'),
      ...toolCallChunks(3, 'call_d', 'tool_search', '{"query":"files"}'),
      finishChunk('tool_calls'),
      usageChunk(3, 4),
    ]);
    const types = new Set(events.map((event) => event.type));
    for (const type of [
      'response.function_call_arguments.delta',
      'response.custom_tool_call_input.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
    ]) {
      expect(types).toContain(type);
    }
  });

  it('for truncated, failed and malformed streams', () => {
    expect(expectSameEncoding([...textChunks('cut'), finishChunk('length')]).at(-1)!.type).toBe('response.incomplete');
    expect(expectSameEncoding([...textChunks('a'), { error: { message: 'overloaded' } }]).at(-1)!.type).toBe(
      'response.failed',
    );
    expect(expectSameEncoding([...textChunks('a'), '{not json'], { done: false }).at(-1)!.type).toBe('response.failed');
    expect(expectSameEncoding([...textChunks('no finish')], { done: false }).at(-1)!.type).toBe('response.failed');
  });

  it('when the request has no tools, or the text contains what looks like the tools placeholder', () => {
    expectSameEncoding([...textChunks('plain'), finishChunk('stop')], { tools: [] });
    expectSameEncoding([
      ...textChunks('\u0000tools:00000000-0000-0000-0000-000000000000', '"tools":[]'),
      finishChunk('stop'),
    ]);
  });

  it('for any text, reasoning or argument fragment (including lone surrogates)', () => {
    const fragment = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(fragment, { minLength: 1, maxLength: 6 }),
        fc.array(fragment, { minLength: 1, maxLength: 4 }),
        fc.array(fragment, { maxLength: 4 }),
        (texts, thoughts, args) => {
          expectSameEncoding([
            ...reasoningChunks(...thoughts),
            ...textChunks(...texts),
            ...toolCallChunks(0, 'call_x', 'exec_command', ...args),
            finishChunk('tool_calls'),
          ]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('for deltas of different items and parts, one after another in any order', () => {
    const encoder = new SseEncoder({ tools: [] });
    const kinds = fc.constantFrom('text', 'summary', 'reasoning', 'arguments', 'custom');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(kinds, fc.nat(2), fc.nat(2), fc.string({ unit: 'binary', maxLength: 4 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (steps) => {
          const events = steps.map(([kind, item, part, delta], sequence): ResponseStreamEvent => {
            // One item id is not ASCII: an item's fields are then encoded as UTF-8 too.
            const common = {
              sequence_number: sequence,
              item_id: item === 2 ? 'item_é' : `item_${item}`,
              output_index: item,
            };
            if (kind === 'text')
              return { type: 'response.output_text.delta', ...common, content_index: part, delta, logprobs: [] };
            if (kind === 'summary')
              return { type: 'response.reasoning_summary_text.delta', ...common, summary_index: part, delta };
            if (kind === 'reasoning')
              return { type: 'response.reasoning_text.delta', ...common, content_index: part, delta };
            if (kind === 'arguments') return { type: 'response.function_call_arguments.delta', ...common, delta };
            return { type: 'response.custom_tool_call_input.delta', ...common, delta };
          });
          expectEncodedAsJsonStringify(encoder, events);
        },
      ),
      { numRuns: 200 },
    );
  });
});
