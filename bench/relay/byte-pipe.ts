/**
 * The cheapest possible HTTP hop: a node:http server that pipes each request
 * to the upstream and the answer back, bytes untouched, over a keep-alive
 * pool. What the relay costs beyond this is the cost of translating.
 *
 * With `rewrite`, the pipe is the least a translating hop must do before the
 * upstream sees a request: read the body whole, `JSON.parse` it, serialise it
 * again and send that (the answer still flows back untouched). Its added
 * latency is the floor for any relay that rewrites requests.
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { listen, type RunningServer } from '../support/listen.js';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

/** Starts the pipe on `host:port` in front of `upstreamUrl`. */
export async function startBytePipe(options: {
  host: string;
  port: number;
  upstreamUrl: string;
  rewrite?: boolean;
}): Promise<RunningServer> {
  const upstream = new URL(options.upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer | undefined) => {
    const headers: OutgoingHttpHeaders = { ...endToEnd(request.headers), host: upstream.host };
    if (body) headers['content-length'] = body.length;
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers,
        agent,
      },
      (incoming) => {
        response.writeHead(incoming.statusCode ?? 502, endToEnd(incoming.headers));
        incoming.pipe(response);
      },
    );
    outgoing.on('error', () => response.destroy());
    response.on('close', () => {
      if (!response.writableFinished) outgoing.destroy();
    });
    if (body) outgoing.end(body);
    else request.pipe(outgoing);
  };
  const server = createServer((request, response) => {
    if (!options.rewrite) return forward(request, response, undefined);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      forward(request, response, Buffer.from(JSON.stringify(parsed)));
    });
  });
  return listen(server, options.host, options.port, () => agent.destroy());
}
