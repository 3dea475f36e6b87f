/**
 * `responses-relay models`: every model name the relay routes, with its
 * route, context window, output limit, reasoning levels and image support.
 * Reads the same flags and config file as serve; needs no running relay.
 */
import type { RoutedModel } from '../models/routed-models.js';
import { toModelEntry } from '../server/routes/models.js';

/** The models as an aligned text table. */
export function formatModelTable(models: readonly RoutedModel[]): string {
  const header = ['NAME', 'ROUTE', 'CONTEXT', 'MAX OUTPUT', 'REASONING', 'IMAGES'];
  const rows = models.map((model) => [
    model.id,
    describeRoute(model),
    formatCount(model.contextWindow),
    formatCount(model.maxOutputTokens),
    describeReasoning(model),
    model.images ? 'yes' : 'no',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** The models as the JSON GET /v1/models would answer. */
export function formatModelJson(models: readonly RoutedModel[]): string {
  return `${JSON.stringify({ object: 'list', data: models.map(toModelEntry) }, null, 2)}\n`;
}

function describeRoute(model: RoutedModel): string {
  const route = `${model.provider.name}/${model.upstreamModel}`;
  const fallbacks = model.alias?.fallbacks ?? [];
  return fallbacks.length > 0 ? `${route}, then ${fallbacks.join(', then ')}` : route;
}

function describeReasoning(model: RoutedModel): string {
  if (model.reasoningEfforts.length === 0) return '-';
  const levels = model.reasoningEfforts.join(' ');
  return model.defaultReasoningEffort ? `${levels} (default ${model.defaultReasoningEffort})` : levels;
}

function formatCount(value: number | undefined): string {
  return value === undefined ? '?' : value.toLocaleString('en-US');
}
