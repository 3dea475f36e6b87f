/**
 * The SSE body of a streamed turn is pull-based: the client's reads drive the
 * upstream reads. An upstream read can carry chunks that produce no event
 * (a finish_reason, a usage-only chunk); the stream must read on instead of
 * waiting for the next heartbeat.
 */
import { describe, expect, it } from 'vitest';
import { SseBody } from '../../src/server/node-sse.js';
import { SseEncoder } from '../../src/server/sse-encoding.js';
import { TurnProducer } from '../../src/server/turn-stream.js';
import { createTestTranslator } from '../support/translator.js';

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices, ...extra });

async function* batches(): AsyncGenerator<string[]> {
  yield [chunk([{ index: 0, delta: { role: 'assistant', content: 'hi' }, finish_reason: null }])];
  // Reads that produce no Responses event on their own.
  yield [chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])];
  yield [chunk([], { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })];
  yield ['[DONE]'];
}

/** A producer of the turn whose upstream reads are `reads`. */
function producerFor(reads: AsyncGenerator<string[]>): TurnProducer {
  const translator = createTestTranslator();
  const encoder = new SseEncoder({ tools: [] });
  return new TurnProducer(
    {
      translator,
      encoder,
      batches: reads,
      providerName: 'test',
      abortUpstream: () => undefined,
      clientGone: () => false,
      // No heartbeat during the test: only the upstream can move the stream on.
      heartbeatMs: 3_600_000,
      onEnd: () => undefined,
    },
    encoder.encode(translator.start()),
  );
}

describe('a streamed turn read as a web stream', () => {
  it('reads past upstream reads that produce no event, without waiting for a heartbeat', async () => {
    const producer = producerFor(batches());
    const text = await new Response(new SseBody(producer)).text();
    const types = text
      .split('\n')
      .filter((line) => line.startsWith('event: '))
      .map((line) => line.slice(7));
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((type) => type === 'response.in_progress')).toHaveLength(1);
    expect(text).toContain('"total_tokens":4');
  });
});

describe('pieces of a streamed turn', () => {
  it('hands out an ordinary upstream read as one piece (one socket write), after the first delta on its own', async () => {
    const deltas = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) =>
        chunk([{ index: 0, delta: { content: `word ${from + index} ` }, finish_reason: null }]),
      );
    // About 40 KB of SSE per read: a burst as Node reads it from the upstream socket.
    async function* burst(): AsyncGenerator<string[]> {
      yield deltas(0, 200);
      yield deltas(200, 200);
      yield [chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]), '[DONE]'];
    }
    const producer = producerFor(burst());
    const pieces: string[] = [];
    for (let piece = await producer.next(); piece !== undefined; piece = await producer.next())
      pieces.push(piece.toString());
    const deltaCounts = pieces.map((piece) => piece.split('event: response.output_text.delta\n').length - 1);
    // The opening events, the first delta alone, the rest of the first read, the second read, the end.
    expect(deltaCounts).toEqual([0, 1, 199, 200, 0]);
    expect(pieces[3]!.length).toBeGreaterThan(32 * 1024);
    expect(pieces.at(-1)).toContain('event: response.completed');
  });
});
