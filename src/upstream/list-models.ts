/** `GET {baseUrl}/models` on an upstream: the one request the model list needs. */
import type { Dispatcher } from 'undici';
import { joinUrl, type UpstreamEndpoint } from './chat-client.js';

/** Fetches and parses an upstream's model list; throws with a short reason when it cannot. */
export async function fetchUpstreamModels(dispatcher: Dispatcher, endpoint: UpstreamEndpoint, timeoutMs: number): Promise<unknown> {
  const url = joinUrl(endpoint.baseUrl, 'models');
  const headers: Record<string, string> = { accept: 'application/json', ...endpoint.headers };
  if (endpoint.apiKey) headers.authorization = `Bearer ${endpoint.apiKey}`;
  const response = await dispatcher.request({
    origin: url.origin,
    path: url.pathname + url.search,
    method: 'GET',
    headers,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  if (response.statusCode >= 400) throw new Error(`HTTP ${response.statusCode} from ${url.href}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`${url.href} did not answer with JSON`);
  }
}
