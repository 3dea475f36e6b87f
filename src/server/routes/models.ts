/**
 * GET /v1/models: the upstream's model list with the alias table applied,
 * so a client sees both the upstream ids and the names it may send.
 */
import type { Context } from 'hono';
import type { ConfiguredProvider } from '../../routing/router.js';
import { joinUrl } from '../../upstream/chat-client.js';
import type { AppDependencies } from '../dependencies.js';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  [extra: string]: unknown;
}

export async function handleListModels(context: Context, deps: AppDependencies): Promise<Response> {
  const provider = deps.router.defaultProvider;
  const upstream = await fetchUpstreamModels(deps, provider);
  const data: ModelEntry[] = [...upstream];
  const known = new Set(data.map((model) => model.id));
  for (const [alias, target] of deps.router.aliases) {
    if (known.has(alias)) continue;
    const base = upstream.find((model) => model.id === target.model);
    data.push({ ...(base ?? { created: 0 }), id: alias, object: 'model', created: base?.created ?? 0, owned_by: target.provider ?? provider.name });
    known.add(alias);
  }
  return context.json({ object: 'list', data });
}

async function fetchUpstreamModels(deps: AppDependencies, provider: ConfiguredProvider): Promise<ModelEntry[]> {
  const url = joinUrl(provider.endpoint.baseUrl, 'models');
  try {
    const response = await deps.dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: 'GET',
      headers: provider.endpoint.apiKey ? { authorization: `Bearer ${provider.endpoint.apiKey}` } : {},
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) {
      deps.logger.warn({ provider: provider.name, status: response.statusCode }, 'upstream model list failed');
      return [];
    }
    const parsed = JSON.parse(text) as { data?: unknown };
    const list = Array.isArray(parsed.data) ? parsed.data : Array.isArray(parsed) ? (parsed as unknown[]) : [];
    return list
      .filter((entry): entry is Record<string, unknown> => entry !== null && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string')
      .map((entry) => ({
        ...entry,
        id: entry.id as string,
        object: 'model' as const,
        created: typeof entry.created === 'number' ? entry.created : 0,
        owned_by: typeof entry.owned_by === 'string' ? entry.owned_by : provider.name,
      }));
  } catch (error) {
    deps.logger.warn({ provider: provider.name, error: (error as Error).message }, 'upstream model list unreachable');
    return [];
  }
}
