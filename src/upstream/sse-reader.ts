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
import { createParser } from 'eventsource-parser';

/** Yields the data payloads found in the body, batched as they arrive. */
export async function* readSseBatches(body: AsyncIterable<Uint8Array> | Readable): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let batch: string[] = [];
  const parser = createParser({
    onEvent(event) {
      batch.push(event.data);
    },
  });
  for await (const chunk of isNodeReadable(body) ? drainReadable(body) : body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield ready;
    }
  }
  const rest = decoder.decode();
  if (rest !== '') parser.feed(rest);
  // An event whose terminating blank line never came (e.g. `[DONE]` with no newline).
  parser.feed('\n\n');
  if (batch.length > 0) yield batch;
}

function isNodeReadable(body: AsyncIterable<Uint8Array> | Readable): body is Readable {
  return typeof (body as Readable).read === 'function' && typeof (body as Readable).once === 'function';
}

/** Everything buffered in the stream as one chunk per wake-up; ends with the stream, throws its error. */
async function* drainReadable(body: Readable): AsyncGenerator<Uint8Array> {
  for (;;) {
    const chunk = body.read() as Uint8Array | null;
    if (chunk !== null) {
      yield chunk;
      continue;
    }
    if (body.errored) throw body.errored;
    if (body.readableEnded || body.destroyed) return;
    await nextWakeUp(body);
  }
}

/** Resolves when the stream has data, ended or closed; rejects on its error. */
function nextWakeUp(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const wake = () => {
      stop();
      resolve();
    };
    const fail = (error: unknown) => {
      stop();
      reject(error);
    };
    const stop = () => {
      body.off('readable', wake);
      body.off('end', wake);
      body.off('close', wake);
      body.off('error', fail);
    };
    body.on('readable', wake);
    body.on('end', wake);
    body.on('close', wake);
    body.on('error', fail);
  });
}
