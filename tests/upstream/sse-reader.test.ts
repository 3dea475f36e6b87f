/**
 * The upstream SSE reader splits lines in the bytes and decodes a payload
 * only when it is read. It must give the payloads a UTF-8 decoder followed by
 * a standard EventSource parser (eventsource-parser) gives, whatever the
 * line endings, fields, comments and however the bytes are cut into reads.
 */
import { Readable } from 'node:stream';
import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PayloadBatch, readSseBatches } from '../../src/upstream/sse-reader.js';

/** The payloads as the reference reads them: decode, then parse. */
function referencePayloads(bytes: Buffer): string[] {
  const payloads: string[] = [];
  const parser = createParser({ onEvent: (event) => payloads.push(event.data) });
  const decoder = new TextDecoder();
  parser.feed(decoder.decode(bytes));
  parser.feed('\n\n');
  return payloads;
}

function texts(batch: PayloadBatch): string[] {
  const all: string[] = [];
  for (let index = 0; index < batch.length; index++) all.push(batch.at(index)!);
  return all;
}

async function readAll(batches: AsyncGenerator<PayloadBatch>): Promise<string[][]> {
  const read: string[][] = [];
  for await (const batch of batches) read.push(texts(batch));
  return read;
}

function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    pieces.push(bytes.subarray(start, point));
    start = point;
  }
  pieces.push(bytes.subarray(start));
  return pieces;
}

async function* iterate(pieces: Buffer[]): AsyncGenerator<Uint8Array> {
  for (const piece of pieces) yield new Uint8Array(piece);
}

const LINE_ENDS = ['\n', '\r\n', '\r'];

/** SSE-ish text: data lines (with and without the space), other fields, comments, blank lines, any line end. */
const sseText = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 12 }).map((value) => `data: ${value.replace(/[\r\n]/g, '')}`),
        fc.string({ maxLength: 8 }).map((value) => `data:${value.replace(/[\r\n]/g, '')}`),
        fc.constant('data'),
        fc.constant('data: [DONE]'),
        fc.constant(''),
        fc.constant(': OPENROUTER PROCESSING'),
        fc.constant('event: message'),
        fc.constant('id: 7'),
        fc.constant('retry: 10'),
        fc.constant('dat'),
        fc.constant('datum: x'),
        fc.string({ maxLength: 6 }).map((value) => value.replace(/[\r\n]/g, '')),
      ),
      fc.constantFrom(...LINE_ENDS),
    ),
    { maxLength: 24 },
  )
  .chain((lines) =>
    fc.tuple(
      fc.constant(lines.map(([line, end]) => line + end).join('')),
      fc.boolean(),
      fc.array(fc.nat(400), { maxLength: 8 }),
    ),
  );

describe('readSseBatches', () => {
  it('gives the payloads a decoder and an EventSource parser give, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(sseText, async ([text, withMark, cuts]) => {
        const bytes = Buffer.from((withMark ? '\uFEFF' : '') + text);
        const expected = referencePayloads(bytes);
        const fromIterable = (await readAll(readSseBatches(iterate(cut(bytes, cuts))))).flat();
        const fromNode = (await readAll(readSseBatches(Readable.from(cut(bytes, cuts))))).flat();
        expect(fromIterable).toEqual(expected);
        expect(fromNode).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('decodes any bytes, invalid UTF-8 included, as the decoder does', async () => {
    const pieces = fc.oneof(
      fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom('data: ', 'data:', '\n', '\r\n', '\n\n', '\r').map((text) => Buffer.from(text)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(pieces, { maxLength: 30 }),
        fc.array(fc.nat(400), { maxLength: 6 }),
        async (parts, cuts) => {
          const bytes = Buffer.concat(parts);
          const read = (await readAll(readSseBatches(iterate(cut(bytes, cuts))))).flat();
          expect(read).toEqual(referencePayloads(bytes));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps multi-byte characters cut between reads, and a last event with no blank line', async () => {
    const bytes = Buffer.from('data: {"a":"é€😀"}\n\ndata: one\ndata: two\n\n:\n\ndata: last');
    const expected = ['{"a":"é€😀"}', 'one\ntwo', 'last'];
    for (let at = 0; at <= bytes.length; at++) {
      const read = (await readAll(readSseBatches(iterate([bytes.subarray(0, at), bytes.subarray(at)])))).flat();
      expect(read).toEqual(expected);
    }
  });

  it('gives one batch for everything that arrived in one read', async () => {
    const read = await readAll(
      readSseBatches(iterate([Buffer.from('data: 1\n\ndata: 2\n\ndata: 3'), Buffer.from('\n\ndata: [DONE]\n\n')])),
    );
    expect(read).toEqual([
      ['1', '2'],
      ['3', '[DONE]'],
    ]);
  });

  it('reads nothing out of range', async () => {
    const { value: batch } = await readSseBatches(iterate([Buffer.from('data: x\n\n')])).next();
    expect(batch!.length).toBe(1);
    expect(batch!.at(1)).toBeUndefined();
    expect(batch!.at(-1)).toBeUndefined();
  });
});
