/**
 * Reads a provider's `GET /models` answer: the model ids and whatever the
 * provider says about each one. Providers put the facts in different fields
 * (OpenRouter `context_length` and `top_provider`, Groq `context_window`,
 * Mistral `max_context_length` and `capabilities.vision`, vLLM
 * `max_model_len`); the first field present wins. Pure.
 */

/** One model from an upstream list, with the facts it states. */
export interface UpstreamModel {
  id: string;
  contextWindow?: number;
  maxOutputTokens?: number;
  images?: boolean;
  /** Whether the model takes a reasoning control, when the list says (OpenRouter `supported_parameters`). */
  reasoning?: boolean;
  /** The entry as the upstream sent it. */
  raw: Record<string, unknown>;
}

const CONTEXT_FIELDS = [
  'context_length',
  'context_window',
  'max_context_length',
  'max_model_len',
  'input_token_limit',
  'inputTokenLimit',
];
const OUTPUT_FIELDS = ['max_completion_tokens', 'max_output_tokens', 'output_token_limit', 'outputTokenLimit'];

/** The models in a `/models` body (`{data: [...]}` or a bare array); entries without an id are skipped. */
export function readUpstreamModelList(body: unknown): UpstreamModel[] {
  const list = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.data)
      ? body.data
      : isRecord(body) && Array.isArray(body.models)
        ? body.models
        : [];
  const models: UpstreamModel[] = [];
  for (const entry of list) {
    if (!isRecord(entry) || typeof entry.id !== 'string' || entry.id === '') continue;
    const model: UpstreamModel = { id: entry.id, raw: entry };
    const topProvider = isRecord(entry.top_provider) ? entry.top_provider : {};
    const contextWindow = firstCount(entry, CONTEXT_FIELDS) ?? firstCount(topProvider, ['context_length']);
    if (contextWindow !== undefined) model.contextWindow = contextWindow;
    const maxOutput = firstCount(topProvider, ['max_completion_tokens']) ?? firstCount(entry, OUTPUT_FIELDS);
    if (maxOutput !== undefined) model.maxOutputTokens = maxOutput;
    const images = readImageSupport(entry);
    if (images !== undefined) model.images = images;
    if (Array.isArray(entry.supported_parameters)) {
      model.reasoning = entry.supported_parameters.some(
        (parameter) => parameter === 'reasoning' || parameter === 'reasoning_effort',
      );
    }
    models.push(model);
  }
  return models;
}

function readImageSupport(entry: Record<string, unknown>): boolean | undefined {
  const architecture = isRecord(entry.architecture) ? entry.architecture : undefined;
  const modalities = architecture?.input_modalities ?? entry.input_modalities;
  if (Array.isArray(modalities)) return modalities.includes('image');
  const capabilities = isRecord(entry.capabilities) ? entry.capabilities : undefined;
  if (typeof capabilities?.vision === 'boolean') return capabilities.vision;
  return undefined;
}

function firstCount(record: Record<string, unknown>, fields: readonly string[]): number | undefined {
  for (const field of fields) {
    const value = record[field];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
