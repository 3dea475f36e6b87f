/**
 * The one contract between the item builders and the SSE encoder: every
 * event the stream state machine emits has exactly the fields
 * EVENT_FIELD_ORDER lists for its type, in that order (the encoder writes
 * hot events field by field in that order; JSON.stringify writes any event
 * in the order of its keys). The streams below between them produce every
 * declared event type. The names and fields are OpenAI's (checked against
 * the spec in ../shared when it is there; the conformance tests validate
 * whole streams against it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../src/translate/chat-types.js';
import {
  EVENT_FIELD_ORDER,
  type ResponseStreamEvent,
  type ResponseStreamEventType,
} from '../../src/translate/stream/stream-events.js';
import {
  deltaChunk,
  finishChunk,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { OPENAI_SPEC_PATH } from '../support/openai-spec.js';
import { missingSharedMessage } from '../support/shared-material.js';
import { translatorFor } from '../support/translator.js';

const TOOLS = [
  { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
  { type: 'custom', name: 'apply_patch', description: 'Edit files.' },
  {
    type: 'tool_search',
    execution: 'client',
    description: 'Find tools.',
    parameters: { type: 'object', properties: {} },
  },
];

/** Streams that between them make every kind of item, end and heartbeat. */
const STREAMS: Record<string, { chunks: ChatChunk[]; heartbeatAfter?: number; finish?: boolean }> = {
  'reasoning, then text, with usage': {
    chunks: [...reasoningChunks('plan', ' more'), ...textChunks('Hel', 'lo'), finishChunk('stop'), usageChunk(10, 5)],
    heartbeatAfter: 2,
  },
  'every kind of tool call, and a late thought signature': {
    chunks: [
      ...toolCallChunks(0, 'call_a', 'exec_command', '{"cmd":', '"ls"}'),
      ...toolCallChunks(1, 'call_b', 'apply_patch', '{"input":"*** Begin Patch\\n', '*** End Patch\\n"}'),
      ...toolCallChunks(2, 'call_c', 'tool_search', '{"query":"files"}'),
      deltaChunk({
        tool_calls: [
          {
            index: 3,
            id: 'call_d',
            type: 'function',
            function: { name: 'exec_command', arguments: '{}' },
            extra_content: { google: { thought_signature: 'SIG' } },
          },
        ],
      }),
      finishChunk('tool_calls'),
    ],
    heartbeatAfter: 1,
  },
  'text cut short': { chunks: [...textChunks('cut'), finishChunk('length')] },
  'an upstream error mid-stream': { chunks: [...textChunks('a'), { error: { message: 'overloaded' } } as ChatChunk] },
};

function run(name: string): ResponseStreamEvent[] {
  const { chunks, heartbeatAfter } = STREAMS[name]!;
  const { translator } = translatorFor({ tools: TOOLS, reasoning: { effort: 'high', summary: 'auto' } });
  const events = [...translator.start()];
  chunks.forEach((chunk, index) => {
    events.push(...translator.onChunk(chunk));
    if (index === heartbeatAfter) events.push(...translator.heartbeat());
  });
  events.push(...translator.finish());
  return events;
}

interface SpecSchema {
  properties?: Record<string, { enum?: string[] }> & { type?: { enum?: string[] } };
  required?: string[];
}

const ALL_EVENTS = Object.keys(STREAMS).flatMap(run);

describe('stream events', () => {
  it('carry exactly the fields of their type, in EVENT_FIELD_ORDER', () => {
    for (const event of ALL_EVENTS) {
      expect(Object.keys(event), event.type).toEqual(EVENT_FIELD_ORDER[event.type]);
    }
  });

  it('cover every declared event type in these streams', () => {
    const seen = new Set(ALL_EVENTS.map((event) => event.type));
    const declared = Object.keys(EVENT_FIELD_ORDER) as ResponseStreamEventType[];
    expect(declared.filter((type) => !seen.has(type))).toEqual([]);
  });

  it('are numbered from 0 without gaps in each stream', () => {
    for (const name of Object.keys(STREAMS)) {
      expect(run(name).map((event) => event.sequence_number)).toEqual(run(name).map((_, index) => index));
    }
  });

  it.skipIf(missingSharedMessage(OPENAI_SPEC_PATH) !== undefined)(
    `use the names and fields of OpenAI's stream event schemas (${missingSharedMessage(OPENAI_SPEC_PATH) ?? 'spec present'})`,
    () => {
      const schemas = (
        JSON.parse(readFileSync(OPENAI_SPEC_PATH, 'utf8')) as { components: { schemas: Record<string, SpecSchema> } }
      ).components.schemas;
      for (const [type, fields] of Object.entries(EVENT_FIELD_ORDER)) {
        const schema = Object.entries(schemas).find(
          ([name, candidate]) => /^Response\w*Event$/.test(name) && candidate.properties?.type?.enum?.includes(type),
        )?.[1];
        expect(schema, type).toBeDefined();
        expect(Object.keys(schema!.properties!), type).toEqual(expect.arrayContaining([...fields]));
        expect([...fields], type).toEqual(expect.arrayContaining(schema!.required ?? []));
      }
    },
  );
});
