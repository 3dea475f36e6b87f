/** Summary statistics for benchmark samples. */

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The p-th percentile (0–100) of ascending `sorted`, linearly interpolated between ranks. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const weight = rank - lower;
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** Count, extremes, mean and the percentiles the report uses. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((left, right) => left - right);
  const mean = sorted.reduce((total, value) => total + value, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
  };
}

/** The median of a few values (e.g. one figure per round). */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((left, right) => left - right),
    50,
  );
}

/** Element-wise differences of two equally long series (paired samples). */
export function pairedDifferences(minuend: readonly number[], subtrahend: readonly number[]): number[] {
  if (minuend.length !== subtrahend.length)
    throw new Error(`paired series differ in length: ${minuend.length} vs ${subtrahend.length}`);
  return minuend.map((value, index) => value - subtrahend[index]!);
}

/** Rounds for display and JSON: enough digits to compare, no float noise. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
