/**
 * Writing a streaming turn straight to a Node `ServerResponse`: each piece
 * of SSE text is one `write`, with no web stream or promise chain per piece
 * in between. Pieces are turned into a Buffer first: handed a string, Node's
 * chunked encoding measures its UTF-8 length (flattening the string) and then
 * encodes it again.
 *
 * The route still returns an ordinary `Response` whose body is a web stream,
 * so the app works anywhere; the route registers the turn's producer against
 * that body, and the Node server (start-server.ts) takes it and writes
 * directly. The body is the key because middleware that changes headers on the
 * way out (the request id) answers with a new Response around the same body.
 */
import type { ServerResponse } from 'node:http';

/** What the Node writer needs from a TurnProducer (turn-stream.ts). */
export interface SsePieceSource {
  startHeartbeats(write: (text: string) => void): void;
  next(): Promise<string | undefined>;
  cancel(): void;
}

const sources = new WeakMap<ReadableStream<Uint8Array>, SsePieceSource>();

/** Marks `response` as a turn whose body the Node server may write directly. */
export function registerNodeWriter(response: Response, source: SsePieceSource): void {
  if (response.body) sources.set(response.body, source);
}

/** The turn behind `response`, once: taking it means the caller writes the body. */
export function takeNodeWriter(response: Response): SsePieceSource | undefined {
  if (!response.body) return undefined;
  const source = sources.get(response.body);
  if (source) sources.delete(response.body);
  return source;
}

/** Writes status, headers and every piece to `outgoing`, waiting for the socket when it is full. */
export async function writeSseToNode(source: SsePieceSource, response: Response, outgoing: ServerResponse): Promise<void> {
  if (outgoing.destroyed) {
    // The client left between the route's answer and this write.
    source.cancel();
    return;
  }
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  let closed = false;
  let wake: (() => void) | undefined;
  const onClose = () => {
    closed = true;
    wake?.();
    if (!outgoing.writableFinished) source.cancel();
  };
  const onDrain = () => wake?.();
  outgoing.once('close', onClose);
  outgoing.on('drain', onDrain);
  source.startHeartbeats((text) => {
    if (!closed) outgoing.write(Buffer.from(text));
  });
  try {
    for (;;) {
      const text = await source.next();
      if (text === undefined || closed) break;
      if (!outgoing.write(Buffer.from(text)) && !closed && !outgoing.destroyed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    }
  } catch (error) {
    source.cancel();
    throw error;
  } finally {
    outgoing.off('drain', onDrain);
    if (!closed) outgoing.end();
  }
}
