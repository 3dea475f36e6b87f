/** `GET {baseUrl}/models` on an upstream: the one request the model list (and `doctor`) needs. */
import type { Dispatcher } from 'undici';
import type { UpstreamEndpoint } from '../routing/provider-connection.js';
import { joinUrl, upstreamHeaders } from './chat-client.js';

export interface ModelListAnswer {
  url: URL;
  status: number;
  text: string;
}

/** Sends the request and reads the answer, whatever its status; throws when nothing answers. */
export async function requestUpstreamModels(
  dispatcher: Dispatcher,
  endpoint: UpstreamEndpoint,
  timeoutMs: number,
): Promise<ModelListAnswer> {
  const url = joinUrl(endpoint.baseUrl, 'models');
  const response = await dispatcher.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'GET',
    headers: upstreamHeaders(endpoint, 'application/json'),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { url, status: response.statusCode, text: await response.body.text() };
}

/** Fetches and parses an upstream's model list; throws with a short reason when it cannot. */
export async function fetchUpstreamModels(
  dispatcher: Dispatcher,
  endpoint: UpstreamEndpoint,
  timeoutMs: number,
): Promise<unknown> {
  const { url, status, text } = await requestUpstreamModels(dispatcher, endpoint, timeoutMs);
  if (status >= 400) throw new Error(`HTTP ${status} from ${url.href}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url.href} did not answer with JSON`);
  }
}
