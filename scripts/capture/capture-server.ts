/**
 * The scripted Responses server Codex talks to during a capture: it records
 * every request exactly as received (method, path, headers, parsed body) and
 * answers `POST …/responses` with the scenario's next scripted response.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderResponse, type ScriptedResponse } from './responses-events.js';

export interface CapturedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** Picks the answer to a Responses request from what Codex sent; undefined = unexpected request. */
export type ResponsePicker = (body: Record<string, unknown>, turn: number) => ScriptedResponse | undefined;

export interface CaptureServer {
  /** Base URL ending in /v1. */
  baseUrl: string;
  requests: CapturedRequest[];
  /** Requests the scenario had no answer for. */
  problems: string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 with a free port. */
export async function startCaptureServer(pick: ResponsePicker): Promise<CaptureServer> {
  const state: CaptureServer = { baseUrl: '', requests: [], problems: [], close: async () => undefined };
  let turn = 0;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text === '' ? null : text;
    try {
      body = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      // Recorded as text.
    }
    const path = request.url ?? '/';
    state.requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body });
    if (request.method !== 'POST' || !path.endsWith('/responses') || body === null || typeof body !== 'object') {
      state.problems.push(`unexpected ${request.method} ${path}`);
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: { message: `no route ${path}`, type: 'invalid_request_error', param: null, code: null },
        }),
      );
      return;
    }
    turn += 1;
    const scripted = pick(body as Record<string, unknown>, turn);
    if (!scripted) {
      state.problems.push(`no scripted answer for request ${turn}`);
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: {
            message: 'the capture script has no answer for this request',
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.end(renderResponse(scripted, turn));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}
