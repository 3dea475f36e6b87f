/**
 * The benchmark's Chat Completions upstream: every stream is rendered once at
 * start, then written as fast as the socket takes it, one write per SSE event
 * (as real providers flush each token), honouring backpressure. The request's
 * `model` (bench-text, bench-tool, …) picks the stream; trickling variants
 * yield to the event loop after each write.
 */
import { createServer, type ServerResponse } from 'node:http';
import { listen, type RunningServer } from '../support/listen.js';
import { modelForVariant, STREAM_VARIANTS, tricklesOf, upstreamPayloads } from './workload.js';

export interface MockUpstreamOptions {
  host: string;
  port: number;
  chunks: number;
  /** SSE events per socket write; 1 is what providers do. */
  eventsPerWrite: number;
}

const MODEL_FIELD = /"model"\s*:\s*"([^"]*)"/;

interface RenderedStream {
  writes: Buffer[];
  trickle: boolean;
}

/** Renders every variant's stream as the buffers to write, `eventsPerWrite` events each. */
export function renderStreams(chunks: number, eventsPerWrite: number): Map<string, RenderedStream> {
  const streams = new Map<string, RenderedStream>();
  for (const variant of STREAM_VARIANTS) {
    const events = upstreamPayloads(variant, chunks).map((payload) => `data: ${payload}\n\n`);
    const writes: Buffer[] = [];
    for (let start = 0; start < events.length; start += eventsPerWrite)
      writes.push(Buffer.from(events.slice(start, start + eventsPerWrite).join('')));
    streams.set(modelForVariant(variant), { writes, trickle: tricklesOf(variant) });
  }
  return streams;
}

function writeFrom(response: ServerResponse, stream: RenderedStream, start: number): void {
  const { writes } = stream;
  for (let index = start; index < writes.length; index++) {
    if (response.destroyed) return;
    const next = () => writeFrom(response, stream, index + 1);
    if (!response.write(writes[index])) {
      response.once('drain', next);
      return;
    }
    if (stream.trickle && index + 1 < writes.length) {
      setImmediate(next);
      return;
    }
  }
  response.end();
}

/** Starts the mock upstream on `host:port` (0 picks a port). */
export async function startMockUpstream(options: MockUpstreamOptions): Promise<RunningServer> {
  const streams = renderStreams(options.chunks, Math.max(1, options.eventsPerWrite));
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (text: string) => {
      body += text;
    });
    request.on('end', () => {
      const model = MODEL_FIELD.exec(body)?.[1] ?? '';
      const stream = streams.get(model);
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions') || stream === undefined) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: {
              message: `no stream for ${request.method} ${request.url} model '${model}'`,
              type: 'invalid_request_error',
            },
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      writeFrom(response, stream, 0);
    });
  });
  return listen(server, options.host, options.port);
}
