/**
 * A real Chat Completions server on 127.0.0.1 for tests: each request is
 * recorded and answered by a script (SSE chunks with optional delays, a JSON
 * error, or a hand-written fault). It closes with the test.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export type MockReply =
  | {
      kind: 'sse';
      /** Objects are sent as JSON `data:` lines, strings are written raw. */
      chunks: Array<object | string>;
      /** Pause before each chunk. */
      delayMs?: number;
      /** Append `data: [DONE]` (default true). */
      done?: boolean;
      status?: number;
      headers?: Record<string, string>;
    }
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'custom'; handle: (request: IncomingMessage, response: ServerResponse) => void | Promise<void> };

export type MockScript = (request: RecordedRequest, index: number) => MockReply;

export interface MockUpstream {
  /** Base URL ending in /v1. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Requests whose connection the client closed before the reply ended. */
  aborted: number;
  /** GET /v1/models requests answered (they are not in `requests`). */
  modelListRequests: number;
  script: MockScript;
  close(): Promise<void>;
}

export interface MockUpstreamOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Answers GET /v1/models instead of the plain list (e.g. per key). */
  modelsScript?: MockScript;
  /**
   * How long an idle connection stays open (default 1 s). undici does not reuse a
   * connection whose server announces less than its 2 s safety margin, so tests
   * of connection reuse need a provider-like value.
   */
  keepAliveTimeoutMs?: number;
}

/** Starts a mock upstream; `script` answers /v1/chat/completions. */
export async function startMockUpstream(
  script: MockScript,
  models: unknown[] = [],
  options: MockUpstreamOptions = {},
): Promise<MockUpstream> {
  const state: MockUpstream = {
    baseUrl: '',
    requests: [],
    aborted: 0,
    modelListRequests: 0,
    script,
    close: async () => undefined,
  };
  const handle: RequestListener = async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // keep the raw text
    }
    const path = request.url ?? '/';
    if (request.method === 'GET' && path === '/v1/models') {
      state.modelListRequests++;
      if (options.modelsScript) {
        await sendReply(
          options.modelsScript({ method: 'GET', path, headers: request.headers, body }, state.modelListRequests - 1),
          request,
          response,
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: models }));
      return;
    }
    const recorded: RecordedRequest = { method: request.method ?? 'GET', path, headers: request.headers, body };
    state.requests.push(recorded);
    let finished = false;
    response.on('close', () => {
      if (!finished && !response.writableFinished) state.aborted++;
    });
    const reply = state.script(recorded, state.requests.length - 1);
    try {
      await sendReply(reply, request, response);
    } finally {
      finished = response.writableFinished;
    }
  };
  const server: Server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.baseUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

async function sendReply(reply: MockReply, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (reply.kind === 'custom') {
    await reply.handle(request, response);
    return;
  }
  if (reply.kind === 'json') {
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    return;
  }
  response.writeHead(reply.status ?? 200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    ...reply.headers,
  });
  for (const chunk of reply.chunks) {
    if (reply.delayMs) await sleep(reply.delayMs);
    if (response.destroyed) return;
    response.write(typeof chunk === 'string' ? chunk : `data: ${JSON.stringify(chunk)}\n\n`);
  }
  if (reply.done !== false && !response.destroyed) response.write('data: [DONE]\n\n');
  response.end();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- chunk builders (shared with the benchmarks) -------------------------------------------

export {
  deltaChunk,
  finishChunk,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../../harness/chat-chunks.js';
