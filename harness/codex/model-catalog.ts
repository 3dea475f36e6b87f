/**
 * A Codex model catalog (`model_catalog_json`) for a model served through the
 * relay. Without one Codex falls back to metadata that turns off reasoning
 * effort, parallel tool calls and apply_patch; with it Codex sends apply_patch
 * as a freeform (custom) tool and asks for a reasoning effort.
 *
 * The entry holds every field the pinned Codex releases require (0.128.0 is
 * the strictest); newer releases accept and ignore fields they dropped.
 */

export interface CatalogOptions {
  /** The model slug; avoid prefixes of OpenAI's own slugs (lookup is longest-prefix). */
  slug: string;
  contextWindow?: number;
  /** Tokens of context use at which Codex compacts the conversation. */
  autoCompactTokenLimit?: number;
  /** Whether Codex may defer tools behind `tool_search`. */
  searchTool?: boolean;
  baseInstructions?: string;
}

export const DEFAULT_BASE_INSTRUCTIONS =
  "You are a coding agent working in a terminal on the user's project. Use the tools you are given to inspect and change files, then answer briefly.";

/** The catalog file content: `{ "models": [ModelInfo] }`. */
export function buildModelCatalog(options: CatalogOptions): { models: Array<Record<string, unknown>> } {
  const contextWindow = options.contextWindow ?? 128_000;
  const model: Record<string, unknown> = {
    slug: options.slug,
    display_name: options.slug,
    description: 'A Chat Completions model served through responses-relay.',
    default_reasoning_level: 'high',
    supported_reasoning_levels: [
      { effort: 'low', description: 'Quick answers' },
      { effort: 'medium', description: 'Balanced' },
      { effort: 'high', description: 'Deeper reasoning' },
    ],
    shell_type: 'unified_exec',
    visibility: 'list',
    supported_in_api: true,
    priority: 1,
    base_instructions: options.baseInstructions ?? DEFAULT_BASE_INSTRUCTIONS,
    supports_reasoning_summaries: true,
    default_reasoning_summary: 'auto',
    support_verbosity: true,
    default_verbosity: 'low',
    apply_patch_tool_type: 'freeform',
    truncation_policy: { mode: 'tokens', limit: 10_000 },
    supports_parallel_tool_calls: true,
    context_window: contextWindow,
    max_context_window: contextWindow,
    effective_context_window_percent: 95,
    experimental_supported_tools: [],
    input_modalities: ['text', 'image'],
    // Lets newer releases send view_image results with `detail: "original"`.
    supports_image_detail_original: true,
    supports_search_tool: options.searchTool ?? false,
    use_responses_lite: false,
  };
  if (options.autoCompactTokenLimit !== undefined) model.auto_compact_token_limit = options.autoCompactTokenLimit;
  return { models: [model] };
}
