/**
 * A small forward proxy on 127.0.0.1 for tests, as offices run them: CONNECT
 * tunnels (how clients reach https:// and, with undici, http:// upstreams)
 * and plain absolute-URL requests, optionally behind Basic credentials
 * (answered 407 without them). It records every target it was asked for.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';

export interface ForwardProxy {
  /** http(s)://[user:password@]127.0.0.1:port */
  url: string;
  /** `host:port` of each tunnel or request, in order. */
  targets: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

export interface ForwardProxyOptions {
  /** Required credentials (Basic). */
  credentials?: { user: string; password: string };
  /** Listen with TLS (an https:// proxy) with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

/** Starts the proxy. */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const sockets = new Set<Socket>();
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const state: ForwardProxy = { url: '', targets: [], refused: 0, close: async () => undefined };
  const authorized = (request: IncomingMessage) =>
    expected === undefined || request.headers['proxy-authorization'] === expected;

  const forward: RequestListener = (request, response) => {
    // A plain proxied request carries the absolute URL.
    if (!authorized(request)) {
      state.refused++;
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const target = new URL(request.url ?? '');
    state.targets.push(target.host);
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: request.method,
        headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, forward) : createServer(forward);
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!authorized(request)) {
      state.refused++;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host, port] = splitHostPort(request.url ?? '');
    state.targets.push(`${host}:${port}`);
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const credentials = options.credentials
    ? `${encodeURIComponent(options.credentials.user)}:${encodeURIComponent(options.credentials.password)}@`
    : '';
  state.url = `${options.tls ? 'https' : 'http'}://${credentials}127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

function splitHostPort(authority: string): [string, string] {
  const separator = authority.lastIndexOf(':');
  return [authority.slice(0, separator).replace(/^\[|\]$/g, ''), authority.slice(separator + 1)];
}
