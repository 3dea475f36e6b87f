/**
 * The figures of GET /v1/usage, the dashboard and the `usage` command, from
 * ledger records: totals and per-group rows. Pure: records in, figures out.
 */
import type { UsageRecord } from './types.js';

export const USAGE_GROUPINGS = ['model', 'provider', 'client', 'day', 'hour'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface UsageFigures {
  turns: number;
  completed: number;
  incomplete: number;
  failed: number;
  client_gone: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** Estimated US dollars for the turns with a known price; null when none had one. */
  cost_usd: number | null;
  /** What cached input saved on those turns. */
  saved_usd: number | null;
  /** Turns with tokens but no known price (their cost is not in cost_usd). */
  unpriced_turns: number;
  retries: number;
  fallbacks: number;
  /** Failed turns by error code. */
  errors: Record<string, number>;
  latency_ms: { first_token: Percentiles | null; total: Percentiles | null };
}

export interface UsageGroup extends UsageFigures {
  key: string;
}

export interface UsageSummary {
  object: 'usage.summary';
  /** The range asked for, milliseconds since the epoch (null: open). */
  since: number | null;
  until: number | null;
  group_by: UsageGrouping | null;
  totals: UsageFigures;
  groups: UsageGroup[];
}

/** Totals and, with a grouping, one row per group (time groups oldest first, others busiest first). */
export function summarizeUsage(
  records: readonly UsageRecord[],
  options: { groupBy?: UsageGrouping | undefined; since?: number | undefined; until?: number | undefined },
): UsageSummary {
  const groups: UsageGroup[] = [];
  if (options.groupBy) {
    const byKey = new Map<string, UsageRecord[]>();
    for (const record of records) {
      const key = groupKey(record, options.groupBy);
      const members = byKey.get(key);
      if (members) members.push(record);
      else byKey.set(key, [record]);
    }
    for (const [key, members] of byKey) groups.push({ key, ...figuresOf(members) });
    const byTime = options.groupBy === 'day' || options.groupBy === 'hour';
    groups.sort((first, second) =>
      byTime ? first.key.localeCompare(second.key) : second.turns - first.turns || first.key.localeCompare(second.key),
    );
  }
  return {
    object: 'usage.summary',
    since: options.since ?? null,
    until: options.until ?? null,
    group_by: options.groupBy ?? null,
    totals: figuresOf(records),
    groups,
  };
}

function groupKey(record: UsageRecord, grouping: UsageGrouping): string {
  switch (grouping) {
    case 'model':
      return `${record.provider}/${record.upstreamModel}`;
    case 'provider':
      return record.provider;
    case 'client':
      return record.client;
    case 'day':
      return new Date(record.startedAt).toISOString().slice(0, 10);
    case 'hour':
      return `${new Date(record.startedAt).toISOString().slice(0, 13)}:00Z`;
    default: {
      const exhaustive: never = grouping;
      return String(exhaustive);
    }
  }
}

function figuresOf(records: readonly UsageRecord[]): UsageFigures {
  const figures: UsageFigures = {
    turns: records.length,
    completed: 0,
    incomplete: 0,
    failed: 0,
    client_gone: 0,
    input_tokens: 0,
    cached_input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: null,
    saved_usd: null,
    unpriced_turns: 0,
    retries: 0,
    fallbacks: 0,
    errors: {},
    latency_ms: { first_token: null, total: null },
  };
  const firstToken: number[] = [];
  const total: number[] = [];
  let cost = 0;
  let saved = 0;
  let priced = 0;
  for (const record of records) {
    figures[record.outcome]++;
    if (record.outcome === 'failed') {
      const code = record.errorCode ?? 'unknown';
      figures.errors[code] = (figures.errors[code] ?? 0) + 1;
    }
    figures.input_tokens += record.inputTokens;
    figures.cached_input_tokens += record.cachedInputTokens;
    figures.output_tokens += record.outputTokens;
    figures.reasoning_tokens += record.reasoningTokens;
    figures.retries += record.retries;
    figures.fallbacks += record.fallbacks;
    if (record.costUsd !== null) {
      priced++;
      cost += record.costUsd;
      saved += record.savedUsd ?? 0;
    } else if (record.inputTokens + record.outputTokens > 0) figures.unpriced_turns++;
    if (record.firstTokenMs !== null) firstToken.push(record.firstTokenMs);
    total.push(record.durationMs);
  }
  if (priced > 0) {
    figures.cost_usd = roundUsd(cost);
    figures.saved_usd = roundUsd(saved);
  }
  figures.latency_ms = { first_token: percentiles(firstToken), total: percentiles(total) };
  return figures;
}

/** Nearest-rank percentiles; null without values. */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((first, second) => first - second);
  const rank = (fraction: number) => sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
  return { p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted.at(-1)! };
}

/** Dollars to eight decimal places (sums of floating-point prices carry noise beyond that). */
function roundUsd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
