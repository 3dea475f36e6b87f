/**
 * The Codex model catalog (`model_catalog_json`): one ModelInfo entry per
 * routed model, so Codex knows each model's context window, reasoning levels
 * and image support, sends apply_patch as a freeform tool, and never prints
 * "Model metadata not found". The entry shape follows what Codex 0.128–0.169
 * read: every field an older release requires is present, and values newer
 * releases reject (the `max` effort) are mapped to ones all accept.
 */
import type { RoutedModel } from '../models/routed-models.js';
import { codexAliasName, looksLikeOpenAiModel } from '../models/slugs.js';
import { EFFORT_ORDER } from '../providers/effort.js';
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { BASE_INSTRUCTIONS } from './base-instructions.js';

/** The reasoning levels Codex knows. */
export type CodexEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface CodexModelInfo {
  slug: string;
  display_name: string;
  description: string;
  default_reasoning_level: CodexEffort | null;
  supported_reasoning_levels: Array<{ effort: CodexEffort; description: string }>;
  shell_type: 'shell_command';
  visibility: 'list' | 'hide';
  supported_in_api: true;
  priority: number;
  base_instructions: string;
  supports_reasoning_summaries: boolean;
  default_reasoning_summary: 'auto' | 'none';
  support_verbosity: false;
  default_verbosity: null;
  apply_patch_tool_type: 'freeform';
  truncation_policy: { mode: 'tokens'; limit: number };
  supports_parallel_tool_calls: true;
  supports_image_detail_original: false;
  context_window?: number;
  max_context_window?: number;
  effective_context_window_percent: number;
  experimental_supported_tools: [];
  input_modalities: Array<'text' | 'image'>;
  supports_search_tool: false;
  use_responses_lite: false;
}

export interface CodexCatalog {
  models: CodexModelInfo[];
}

const EFFORT_DESCRIPTIONS: Record<CodexEffort, string> = {
  none: 'No reasoning: fastest answers',
  minimal: 'Very little reasoning',
  low: 'Light reasoning for quick, simple tasks',
  medium: 'Balanced reasoning',
  high: 'Deep reasoning for complex problems',
  xhigh: 'The deepest reasoning the model offers',
};

/** Share of the context window Codex plans with (the rest absorbs token-count differences). */
const EFFECTIVE_CONTEXT_PERCENT = 95;
/** Tool output kept in the conversation, in tokens. */
const TOOL_OUTPUT_TOKEN_LIMIT = 10_000;

/**
 * The catalog name of a routed model: its own name unless that starts like an
 * OpenAI model; then an alias gets the `relay-` prefix and a provider model
 * its `provider/` prefix, both of which the router understands.
 */
export function codexSlug(model: RoutedModel): string {
  if (model.alias) return codexAliasName(model.id);
  return looksLikeOpenAiModel(model.id) ? `${model.provider.name}/${model.upstreamModel}` : model.id;
}

/** A relay's `max` is Codex's `xhigh` (the deepest level); other levels keep their names. */
export function toCodexEffort(effort: ReasoningEffort): CodexEffort {
  return effort === 'max' ? 'xhigh' : effort;
}

/** The catalog for the routed models (duplicates by slug are dropped, the first kept). */
export function buildCodexCatalog(models: readonly RoutedModel[]): CodexCatalog {
  const providersWithKnownModels = new Set(
    models.filter((model) => model.known && !model.alias).map((model) => model.provider.name),
  );
  const entries: CodexModelInfo[] = [];
  const slugs = new Set<string>();
  for (const model of models) {
    const slug = codexSlug(model);
    if (slugs.has(slug)) continue;
    slugs.add(slug);
    // Long upstream lists stay usable: what the profile or the config knows is listed, the rest hidden (still described).
    const listed = model.alias !== undefined || model.known || !providersWithKnownModels.has(model.provider.name);
    entries.push(buildModelInfo(model, slug, entries.length, listed));
  }
  return { models: entries };
}

function buildModelInfo(model: RoutedModel, slug: string, priority: number, listed: boolean): CodexModelInfo {
  const levels = codexLevels(model.reasoningEfforts);
  const defaultLevel =
    model.defaultReasoningEffort !== undefined ? toCodexEffort(model.defaultReasoningEffort) : undefined;
  const info: CodexModelInfo = {
    slug,
    display_name: slug,
    description: describe(model),
    default_reasoning_level:
      levels.length === 0
        ? null
        : defaultLevel !== undefined && levels.includes(defaultLevel)
          ? defaultLevel
          : middleLevel(levels),
    supported_reasoning_levels: levels.map((effort) => ({ effort, description: EFFORT_DESCRIPTIONS[effort] })),
    shell_type: 'shell_command',
    visibility: listed ? 'list' : 'hide',
    supported_in_api: true,
    priority,
    base_instructions: BASE_INSTRUCTIONS,
    supports_reasoning_summaries: true,
    default_reasoning_summary: 'auto',
    support_verbosity: false,
    default_verbosity: null,
    apply_patch_tool_type: 'freeform',
    truncation_policy: { mode: 'tokens', limit: TOOL_OUTPUT_TOKEN_LIMIT },
    supports_parallel_tool_calls: true,
    supports_image_detail_original: false,
    effective_context_window_percent: EFFECTIVE_CONTEXT_PERCENT,
    experimental_supported_tools: [],
    input_modalities: model.images ? ['text', 'image'] : ['text'],
    supports_search_tool: false,
    use_responses_lite: false,
  };
  if (model.contextWindow !== undefined) {
    info.context_window = model.contextWindow;
    info.max_context_window = model.contextWindow;
  }
  return info;
}

/** The model's levels in Codex's terms, from least to most reasoning, without duplicates. */
function codexLevels(efforts: readonly ReasoningEffort[]): CodexEffort[] {
  const levels = new Set(efforts.map(toCodexEffort));
  return [...levels].sort((left, right) => EFFORT_ORDER.indexOf(left) - EFFORT_ORDER.indexOf(right));
}

/** A default for models whose provider names none: `high` if offered, else the middle level. */
function middleLevel(levels: readonly CodexEffort[]): CodexEffort {
  if (levels.includes('high')) return 'high';
  const thinking = levels.filter((level) => level !== 'none');
  return thinking[Math.floor((thinking.length - 1) / 2)] ?? levels[0]!;
}

function describe(model: RoutedModel): string {
  const target = `${model.provider.profile.displayName} ${model.upstreamModel}`;
  const fallbacks = model.alias?.fallbacks ?? [];
  const suffix = fallbacks.length > 0 ? `, falling back to ${fallbacks.join(', then ')}` : '';
  return model.alias ? `${model.id}: ${target} through responses-relay${suffix}` : `${target} through responses-relay`;
}
