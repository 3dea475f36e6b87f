/**
 * The body of a streamed turn, and writing it straight to a Node
 * `ServerResponse`: each piece of SSE text is one `write`, with no web stream
 * or promise chain per piece in between. Pieces are turned into a Buffer
 * first: handed a string, Node's chunked encoding measures its UTF-8 length
 * (flattening the string) and then encodes it again.
 *
 * The route returns an ordinary `Response` whose body is an SseBody, read as
 * a web stream of the turn's bytes anywhere but on the Node server, so the
 * app works anywhere (`app.request` reads it). The Node server
 * (start-server.ts) takes the turn from the response the route made instead
 * and writes it directly: less CPU per stream, measured in docs/benchmarks.md.
 * Either way the pieces come from the same producer. A response rebuilt
 * around the body on the way out (a header set after the route) is read as a
 * web stream.
 */
import type { ServerResponse } from 'node:http';
import type { UnderlyingSource } from 'node:stream/web';
import type { SseText } from './sse-text.js';

/** What a writer needs from a TurnProducer (turn-stream.ts). */
export interface SsePieceSource {
  startHeartbeats(write: (text: string) => void): void;
  next(): Promise<SseText | undefined>;
  cancel(): void;
}

/**
 * A turn's SSE bytes, for whichever reader comes first: the Node server takes
 * the turn and writes it (`take`), anyone else reads a web stream of it. That
 * stream is made on first use, not with the body: building a ReadableStream
 * for every response cost about 1% of a stream's CPU on the Node path, which
 * never reads it. A `Response` takes the body as an async iterable (and the
 * Node adapter's lightweight Response keeps it as it is, seeing `getReader`).
 * Nothing is read upstream until one of them reads.
 */
export class SseBody implements AsyncIterable<Uint8Array> {
  private source: SsePieceSource | undefined;
  private stream: ReadableStream<Uint8Array> | undefined;

  constructor(source: SsePieceSource) {
    this.source = source;
  }

  /** The turn behind this body, once and only while nobody reads it as a stream: taking it means the caller writes it. */
  take(): SsePieceSource | undefined {
    if (this.stream) return undefined;
    const source = this.source;
    this.source = undefined;
    return source;
  }

  /** Whether the body is being read as a web stream (a Response checks before taking it). */
  get locked(): boolean {
    return this.stream?.locked ?? false;
  }

  getReader(): ReadableStreamDefaultReader<Uint8Array> {
    return this.webStream().getReader();
  }

  /** Reads through the web stream, made at the first `next` (a Response asks for the iterator when it is made). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    let iterator: AsyncIterator<Uint8Array> | undefined;
    return {
      next: () => {
        iterator ??= this.webStream()[Symbol.asyncIterator]();
        return iterator.next();
      },
      return: async (value?: unknown) => {
        if (iterator?.return) return iterator.return(value);
        // Given up before any read: the turn is stopped, unless the Node writer has it.
        this.take()?.cancel();
        return { done: true, value: undefined };
      },
    };
  }

  private webStream(): ReadableStream<Uint8Array> {
    if (this.stream) return this.stream;
    // Taken by the Node writer: what a reader finds is an empty body, as for a stream already read.
    const source = this.source;
    this.stream = source
      ? new ReadableStream(webSource(source), { highWaterMark: 0 })
      : new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
    return this.stream;
  }
}

function webSource(source: SsePieceSource): UnderlyingSource<Uint8Array> {
  const encoder = new TextEncoder();
  return {
    async pull(controller) {
      source.startHeartbeats((text) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          // The stream was closed between the check and the write.
        }
      });
      const piece = await source.next();
      if (piece === undefined) controller.close();
      else controller.enqueue(piece.toBytes());
    },
    cancel() {
      source.cancel();
    },
  };
}

/**
 * The bodies of the responses made by `sseResponse`, by response: the turn is
 * found without reading `response.body`, which makes the Node adapter's
 * lightweight Response build a full one (about 1% of a stream's CPU,
 * docs/benchmarks.md step 19), and whose stream would be the web stream, not
 * the SseBody.
 */
const bodiesByResponse = new WeakMap<Response, SseBody>();

/** A streamed response whose body is `source`'s SSE. */
export function sseResponse(
  source: SsePieceSource,
  headers: Record<string, string>,
  ResponseClass: typeof Response = Response,
): Response {
  const body = new SseBody(source);
  // Response accepts an async iterable body at run time; its type lists only the other kinds.
  const response = new ResponseClass(body as unknown as ReadableStream<Uint8Array>, { headers });
  bodiesByResponse.set(response, body);
  return response;
}

/** The turn behind `response` when `sseResponse` made it and nobody has read or taken the turn. */
export function takeNodeWriter(response: Response): SsePieceSource | undefined {
  return bodiesByResponse.get(response)?.take();
}

/** Writes status, headers and every piece to `outgoing`, waiting for the socket when it is full. */
export async function writeSseToNode(
  source: SsePieceSource,
  response: Response,
  outgoing: ServerResponse,
): Promise<void> {
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
      const piece = await source.next();
      if (piece === undefined || closed) break;
      if (!outgoing.write(piece.toBytes()) && !closed && !outgoing.destroyed) {
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
