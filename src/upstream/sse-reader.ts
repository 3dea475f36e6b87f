/**
 * Upstream SSE → batches of `data:` payloads, one batch per network read, so
 * the relay can answer each upstream read with one write to the client.
 * Comment lines (`: OPENROUTER PROCESSING`, keep-alives) and blank lines are
 * skipped by the parser; a final event without a trailing newline is kept.
 */
import { createParser } from 'eventsource-parser';

/** Yields the data payloads found in each chunk of the body. */
export async function* readSseBatches(body: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let batch: string[] = [];
  const parser = createParser({
    onEvent(event) {
      batch.push(event.data);
    },
  });
  for await (const chunk of body) {
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
