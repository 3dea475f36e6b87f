/**
 * GET /v1/models: every model name the relay routes, across providers —
 * aliases and each provider's upstream list (cached; `?refresh=true` or
 * `Cache-Control: no-cache` asks the upstreams again) — with the context
 * window and output limit where known.
 */
import type { Context } from 'hono';
import type { RoutedModel } from '../../models/routed-models.js';
import type { AppDependencies } from '../dependencies.js';

interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  context_window?: number;
  max_output_tokens?: number;
  [extra: string]: unknown;
}

/** Handles GET /v1/models. */
export async function handleListModels(context: Context, deps: AppDependencies): Promise<Response> {
  const refresh =
    context.req.query('refresh') === 'true' || /no-cache/i.test(context.req.header('cache-control') ?? '');
  const models = await deps.models.list(refresh);
  return context.json({ object: 'list', data: models.map(toModelEntry) });
}

/** One routed model as an OpenAI model object, keeping what the upstream said about it. */
export function toModelEntry(model: RoutedModel): ModelEntry {
  const raw = model.upstream?.raw ?? {};
  const entry: ModelEntry = {
    ...raw,
    id: model.id,
    object: 'model',
    created: typeof raw.created === 'number' ? raw.created : 0,
    owned_by: typeof raw.owned_by === 'string' ? raw.owned_by : model.provider.name,
  };
  if (model.contextWindow !== undefined) entry.context_window = model.contextWindow;
  if (model.maxOutputTokens !== undefined) entry.max_output_tokens = model.maxOutputTokens;
  return entry;
}
