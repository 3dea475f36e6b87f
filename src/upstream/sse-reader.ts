/**
 * Upstream SSE → batches of `data:` payloads, one batch for everything that
 * has arrived when the relay gets to read, so it can answer with one write to
 * the client. From a Node stream all buffered bytes are taken at once: an
 * upstream writing one small chunked-encoding frame per event would otherwise
 * cost one pass through the whole pipeline per event. Comment lines
 * (`: OPENROUTER PROCESSING`, keep-alives), other fields and blank lines are
 * skipped; a final event without a trailing newline is kept.
 *
 * Lines are found in the bytes, and a payload becomes text only when the
 * translator asks for it: a batch waiting for a slow client holds the read's
 * Buffer (outside the JavaScript heap) and the payloads' offsets, not tens of
 * KB of strings that every young-generation collection would copy.
 */
import type { Readable } from 'node:stream';
import { ChunkReader } from './chunk-reader.js';

/** The data payloads of one upstream read; an array of strings is one too. */
export interface PayloadBatch {
  readonly length: number;
  /** The payload at `index` (0 ≤ index < length) as text. */
  at(index: number): string | undefined;
  /**
   * The payload at `index` as JSON.parse reads it when it is a JSON object or
   * array, read from its bytes; undefined for anything else, which the caller
   * reads from the text.
   */
  chunkAt?(index: number): object | undefined;
}

/** Yields the data payloads found in the body, batched as they arrive. */
export function readSseBatches(body: AsyncIterable<Uint8Array> | Readable): AsyncGenerator<PayloadBatch> {
  return isNodeReadable(body) ? new SseBatchReader(body) : readIterableBatches(body);
}

/** The general form, for any async iterable of bytes. */
async function* readIterableBatches(body: AsyncIterable<Uint8Array>): AsyncGenerator<PayloadBatch> {
  const splitter = new SseSplitter();
  for await (const chunk of body) {
    const batch = splitter.feed(chunk);
    if (batch) yield batch;
  }
  const rest = splitter.end();
  if (rest) yield rest;
}

function isNodeReadable(body: AsyncIterable<Uint8Array> | Readable): body is Readable {
  return typeof (body as Readable).read === 'function' && typeof (body as Readable).once === 'function';
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const DONE = Buffer.from('[DONE]');

/** Payloads as byte ranges of one Buffer; an event of several `data:` lines is joined as text when it is read. */
class SsePayloads implements PayloadBatch {
  /** Start and end offsets of each payload, one pair per payload. */
  private readonly spans: number[] = [];
  /** Events made of several data lines: their text by payload index. */
  private joined: Map<number, string> | undefined;

  constructor(
    private readonly bytes: Buffer,
    private readonly chunks: ChunkReader,
  ) {}

  get length(): number {
    return this.spans.length / 2;
  }

  at(index: number): string | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const joined = this.joined?.get(index);
    if (joined !== undefined) return joined;
    return this.bytes.toString('utf8', this.spans[2 * index], this.spans[2 * index + 1]);
  }

  chunkAt(index: number): object | undefined {
    if (index < 0 || index >= this.length || this.joined?.has(index)) return undefined;
    const start = this.spans[2 * index]!;
    const end = this.spans[2 * index + 1]!;
    if (isDone(this.bytes, start, end)) return undefined;
    return this.chunks.read(this.bytes, start, end);
  }

  addSpan(start: number, end: number): void {
    this.spans.push(start, end);
  }

  addText(text: string): void {
    this.joined ??= new Map();
    this.joined.set(this.length, text);
    this.spans.push(0, 0);
  }
}

/**
 * Bytes in, complete `data:` payloads out, as the EventSource specification
 * splits them: lines end with LF, CR or CRLF; a blank line ends an event; a
 * field's value follows its colon and one optional space; a leading UTF-8
 * byte-order mark is dropped. Bytes of an unfinished line wait for the next
 * read (concatenated once a line end arrives).
 */
class SseSplitter {
  /** Bytes after the last line end, in the pieces they came in. */
  private tail: Buffer[] = [];
  private atStart = true;
  /** Data lines of the event being read: its first line as offsets into `dataBytes` while that is the current read, else the text so far. */
  private dataLines = 0;
  private dataStart = 0;
  private dataEnd = 0;
  private dataText = '';
  private dataBytes: Buffer | undefined;
  /** A CR ended the last read: an LF starting this one belongs to it. */
  private afterCr = false;
  /** The upstream said the stream is over; what follows is not needed. */
  sawDone = false;
  private readonly chunks = new ChunkReader();

  /** The payloads completed by these bytes, if any. */
  feed(chunk: Uint8Array): PayloadBatch | undefined {
    let bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.tail.length > 0) {
      if (bytes.indexOf(LF) === -1 && bytes.indexOf(CR) === -1) {
        this.tail.push(bytes);
        return undefined;
      }
      this.tail.push(bytes);
      bytes = Buffer.concat(this.tail);
      this.tail = [];
    }
    return this.split(bytes, false);
  }

  /** The payloads left at the end of the body, including one whose blank line never came. */
  end(): PayloadBatch | undefined {
    const rest = this.tail.length > 0 ? Buffer.concat(this.tail) : Buffer.alloc(0);
    this.tail = [];
    return this.split(rest, true);
  }

  private split(bytes: Buffer, last: boolean): PayloadBatch | undefined {
    if (bytes.length === 0 && !last) return undefined;
    let position = 0;
    if (this.atStart && bytes.length > 0) {
      if (bytes.length < 3 && !last && bytes[0] === 0xef) {
        // Too few bytes to tell a byte-order mark from text.
        this.tail.push(bytes);
        return undefined;
      }
      this.atStart = false;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) position = 3;
    }
    if (this.afterCr && bytes[position] === LF) position++;
    this.afterCr = false;
    const payloads = new SsePayloads(bytes, this.chunks);
    const plainLf = bytes.indexOf(CR, position) === -1;
    while (position < bytes.length) {
      let lineEnd = plainLf ? bytes.indexOf(LF, position) : nextLineEnd(bytes, position);
      if (lineEnd === -1) {
        if (!last) break;
        lineEnd = bytes.length;
      }
      this.onLine(bytes, position, lineEnd, payloads);
      position = lineEnd + 1;
      if (!plainLf && bytes[lineEnd] === CR) {
        if (position < bytes.length) {
          if (bytes[position] === LF) position++;
        } else this.afterCr = true;
      }
    }
    if (last) this.dispatch(bytes, payloads);
    else {
      this.keepData();
      if (position < bytes.length) this.tail.push(bytes.subarray(position));
    }
    return payloads.length > 0 ? payloads : undefined;
  }

  private onLine(bytes: Buffer, start: number, end: number, payloads: SsePayloads): void {
    if (start === end) {
      this.dispatch(bytes, payloads);
      return;
    }
    // Only `data` matters here: `event`, `id`, `retry`, comments and unknown fields are skipped.
    if (
      end - start < 4 ||
      bytes[start] !== 0x64 ||
      bytes[start + 1] !== 0x61 ||
      bytes[start + 2] !== 0x74 ||
      bytes[start + 3] !== 0x61
    )
      return;
    let valueStart = start + 4;
    if (valueStart < end) {
      if (bytes[valueStart] !== COLON) return;
      valueStart++;
      if (valueStart < end && bytes[valueStart] === SPACE) valueStart++;
    }
    if (this.dataLines === 0) {
      this.dataBytes = bytes;
      this.dataStart = valueStart;
      this.dataEnd = end;
    } else {
      this.keepData();
      this.dataText += `\n${bytes.toString('utf8', valueStart, end)}`;
    }
    this.dataLines++;
  }

  /** Ends the event being read: its payload is added when it has data. */
  private dispatch(bytes: Buffer, payloads: SsePayloads): void {
    if (this.dataLines === 0) return;
    if (this.dataBytes === bytes) {
      if (isDone(bytes, this.dataStart, this.dataEnd)) this.sawDone = true;
      payloads.addSpan(this.dataStart, this.dataEnd);
    } else {
      this.keepData();
      if (this.dataText === '[DONE]') this.sawDone = true;
      payloads.addText(this.dataText);
    }
    this.dataLines = 0;
    this.dataText = '';
    this.dataBytes = undefined;
  }

  /** The event's first data line as text, so that it no longer refers to the bytes of this read. */
  private keepData(): void {
    if (this.dataBytes === undefined) return;
    this.dataText = this.dataBytes.toString('utf8', this.dataStart, this.dataEnd);
    this.dataBytes = undefined;
  }
}

/** The next CR or LF at or after `from`, or -1. */
function nextLineEnd(bytes: Buffer, from: number): number {
  for (let index = from; index < bytes.length; index++) {
    const byte = bytes[index];
    if (byte === LF || byte === CR) return index;
  }
  return -1;
}

function isDone(bytes: Buffer, start: number, end: number): boolean {
  return end - start === DONE.length && bytes.compare(DONE, 0, DONE.length, start, end) === 0;
}

/**
 * Reads a Node stream without an async generator per chunk: each `next()`
 * takes everything buffered, and waits only when nothing is.
 */
class SseBatchReader implements AsyncGenerator<PayloadBatch> {
  private readonly splitter = new SseSplitter();
  private finished = false;
  private failure: { error: unknown } | undefined;

  /** Resolves the read waiting for the body, if one is. */
  private waiting: (() => void) | undefined;
  private readonly wake = (): void => {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  };

  constructor(private readonly body: Readable) {
    // Listened to for the stream's whole life: an error while nobody waits (an abort) is kept, not thrown.
    body.on('error', (error: unknown) => {
      this.failure ??= { error };
      this.wake();
    });
    // Added once rather than for each wait: adding and removing them cost more than the read of a small event.
    body.on('readable', this.wake);
    body.on('end', this.wake);
    body.on('close', this.wake);
  }

  async next(): Promise<IteratorResult<PayloadBatch>> {
    for (;;) {
      if (this.finished) return { done: true, value: undefined };
      const chunk = this.body.read() as Uint8Array | null;
      if (chunk !== null) {
        const batch = this.splitter.feed(chunk);
        if (batch) return { done: false, value: batch };
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.body.errored) throw this.body.errored;
      if (this.body.readableEnded || this.body.destroyed) {
        this.finished = true;
        const rest = this.splitter.end();
        if (rest) return { done: false, value: rest };
        continue;
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  /**
   * The reader stops early. After `[DONE]` the rest of the body (usually just
   * the end of the chunked encoding) is read and dropped so the connection goes
   * back to the keep-alive pool; otherwise the upstream may still be
   * generating, and its request is cut.
   */
  async return(): Promise<IteratorResult<PayloadBatch>> {
    this.finished = true;
    // A 'readable' listener would keep resume() from flowing the rest of the body.
    this.body.off('readable', this.wake);
    if (this.splitter.sawDone && this.failure === undefined) discardRest(this.body);
    else this.body.destroy();
    this.wake();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<PayloadBatch>> {
    this.finished = true;
    this.body.destroy();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncGenerator<PayloadBatch> {
    return this;
  }
}

/** Most of a body read and dropped after `[DONE]`, and for how long, before the connection is given up instead. */
const DISCARD_LIMIT_BYTES = 64 * 1024;
const DISCARD_LIMIT_MS = 5_000;

/** Reads the body to its end without keeping anything, within bounds; destroys it past them. */
function discardRest(body: Readable): void {
  if (body.readableEnded || body.destroyed) return;
  let left = DISCARD_LIMIT_BYTES;
  const timer = setTimeout(() => body.destroy(), DISCARD_LIMIT_MS);
  timer.unref();
  body.on('data', (chunk: Uint8Array) => {
    left -= chunk.byteLength;
    if (left < 0) body.destroy();
  });
  body.once('close', () => clearTimeout(timer));
  body.once('end', () => clearTimeout(timer));
  body.resume();
}
