/**
 * Upstream SSE → batches of `data:` payloads, one batch for everything that
 * has arrived when the relay gets to read, so it can answer with one write to
 * the client. From a Node stream all buffered bytes are taken at once: an
 * upstream writing one small chunked-encoding frame per event would otherwise
 * cost one pass through the whole pipeline per event. Comment lines
 * (`: OPENROUTER PROCESSING`, keep-alives) and blank lines are skipped by the
 * parser; a final event without a trailing newline is kept.
 */
import type { Readable } from 'node:stream';
import { createParser, type EventSourceParser } from 'eventsource-parser';

/** Yields the data payloads found in the body, batched as they arrive. */
export function readSseBatches(body: AsyncIterable<Uint8Array> | Readable): AsyncGenerator<string[]> {
  return isNodeReadable(body) ? new SseBatchReader(body) : readIterableBatches(body);
}

/** The general form, for any async iterable of bytes. */
async function* readIterableBatches(body: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
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

/** Bytes in, complete `data:` payloads out. */
class SseSplitter {
  private readonly decoder = new TextDecoder();
  private batch: string[] = [];
  /** The upstream said the stream is over; what follows is not needed. */
  sawDone = false;
  private readonly parser: EventSourceParser = createParser({
    onEvent: (event) => {
      if (event.data === '[DONE]') this.sawDone = true;
      this.batch.push(event.data);
    },
  });

  /** The payloads completed by these bytes, if any. */
  feed(chunk: Uint8Array): string[] | undefined {
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    return this.take();
  }

  /** The payloads left at the end of the body, including one whose blank line never came. */
  end(): string[] | undefined {
    const rest = this.decoder.decode();
    if (rest !== '') this.parser.feed(rest);
    this.parser.feed('\n\n');
    return this.take();
  }

  private take(): string[] | undefined {
    if (this.batch.length === 0) return undefined;
    const ready = this.batch;
    this.batch = [];
    return ready;
  }
}

/**
 * Reads a Node stream without an async generator per chunk: each `next()`
 * takes everything buffered, and waits only when nothing is.
 */
class SseBatchReader implements AsyncGenerator<string[]> {
  private readonly splitter = new SseSplitter();
  private finished = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly body: Readable) {
    // Listened to for the stream's whole life: an error while nobody waits (an abort) is kept, not thrown.
    body.on('error', (error: unknown) => {
      this.failure ??= { error };
    });
  }

  async next(): Promise<IteratorResult<string[]>> {
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
      await nextWakeUp(this.body);
    }
  }

  /**
   * The reader stops early. After `[DONE]` the rest of the body (usually just
   * the end of the chunked encoding) is read and dropped so the connection goes
   * back to the keep-alive pool; otherwise the upstream may still be
   * generating, and its request is cut.
   */
  async return(): Promise<IteratorResult<string[]>> {
    this.finished = true;
    if (this.splitter.sawDone && this.failure === undefined) discardRest(this.body);
    else this.body.destroy();
    return { done: true, value: undefined };
  }

  async throw(error: unknown): Promise<IteratorResult<string[]>> {
    this.finished = true;
    this.body.destroy();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncGenerator<string[]> {
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

/** Resolves when the stream has data, ended, failed or closed. */
function nextWakeUp(body: Readable): Promise<void> {
  return new Promise((resolve) => {
    const wake = () => {
      body.off('readable', wake);
      body.off('end', wake);
      body.off('close', wake);
      body.off('error', wake);
      resolve();
    };
    body.on('readable', wake);
    body.on('end', wake);
    body.on('close', wake);
    body.on('error', wake);
  });
}
