/**
 * The one place that talks to a Chat Completions upstream: POST
 * {baseUrl}/chat/completions over an undici dispatcher (a keep-alive pool),
 * with timeouts and an abort signal. Errors come back as data, not throws,
 * so the caller decides between retrying and reporting.
 */
import type { Dispatcher } from 'undici';
import type { UpstreamEndpoint } from '../routing/provider-connection.js';
import { chatRequestBytes } from '../translate/chat-request-json.js';
import type { ChatRequest } from '../translate/chat-types.js';

export interface UpstreamTimeouts {
  /** Time to receive the response headers. */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
  /** Time to open a connection (applied by the dispatcher the relay builds). */
  connectMs: number;
  /** Longest a whole response may take, from the upstream call to its last byte (applied per turn). */
  totalMs: number;
}

export type UpstreamOpenResult =
  | {
      ok: true;
      status: number;
      headers: Record<string, string | string[] | undefined>;
      body: AsyncIterable<Uint8Array>;
      json: boolean;
    }
  | { ok: false; status: number; headers: Record<string, string | string[] | undefined>; errorBody: unknown };

const MAX_ERROR_BODY_BYTES = 256 * 1024;

/** Joins a base URL and a path without doubling or dropping slashes. */
export function joinUrl(baseUrl: string, path: string): URL {
  return new URL(`${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
}

/** The headers every upstream request carries: the provider's own and its key. */
export function upstreamHeaders(endpoint: UpstreamEndpoint, accept: string): Record<string, string> {
  const headers: Record<string, string> = { accept, ...endpoint.headers };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  return headers;
}

/** Sends a Chat Completions request; resolves once the response headers arrived. */
export async function openChatCompletion(
  dispatcher: Dispatcher,
  endpoint: UpstreamEndpoint,
  body: ChatRequest,
  signal: AbortSignal,
  timeouts: UpstreamTimeouts,
): Promise<UpstreamOpenResult> {
  const url = joinUrl(endpoint.baseUrl, 'chat/completions');
  const headers = upstreamHeaders(endpoint, body.stream ? 'text/event-stream' : 'application/json');
  headers['content-type'] = 'application/json';
  const json = chatRequestBytes(body);
  // Parts are written one after the other with the whole length announced (undici would chunk them otherwise).
  if (Array.isArray(json)) headers['content-length'] = String(json.reduce((total, part) => total + part.length, 0));
  const response = await dispatcher.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'POST',
    headers,
    // undici writes an iterable body as it is, without joining it (its types list only the other kinds).
    body: json as Buffer,
    signal,
    headersTimeout: timeouts.firstByteMs,
    bodyTimeout: timeouts.idleMs,
  });
  const contentType = String(response.headers['content-type'] ?? '');
  if (response.statusCode >= 200 && response.statusCode < 300) {
    return {
      ok: true,
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: contentType.includes('application/json'),
    };
  }
  return {
    ok: false,
    status: response.statusCode,
    headers: response.headers,
    errorBody: await readErrorBody(response.body),
  };
}

/** Reads a bounded error body, as JSON when it parses. */
async function readErrorBody(body: AsyncIterable<Uint8Array> & { destroy?: () => void }): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > MAX_ERROR_BODY_BYTES) break;
      chunks.push(Buffer.from(chunk));
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    body.destroy?.();
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Reads a whole (small) JSON body. */
export async function readJsonBody(body: AsyncIterable<Uint8Array>): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}
