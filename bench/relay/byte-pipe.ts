/**
 * The cheapest possible HTTP hop: a node:http server that pipes each request
 * to the upstream and the answer back, bytes untouched, over a keep-alive
 * pool. What the relay costs beyond this is the cost of translating.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
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
}): Promise<RunningServer> {
  const upstream = new URL(options.upstreamUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((request, response) => {
    const outgoing = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method,
        path: request.url,
        headers: { ...endToEnd(request.headers), host: upstream.host },
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
    request.pipe(outgoing);
  });
  return listen(server, options.host, options.port, () => agent.destroy());
}
