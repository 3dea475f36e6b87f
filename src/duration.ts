/** Human durations for flags such as `--store-ttl`: `7d`, `12h`, `90m`, `1d12h`, `3600` (seconds). */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Milliseconds in `text`; undefined when it is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  let total = 0;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) {
    total = Number(trimmed) * 1_000;
  } else if (DURATION.test(trimmed)) {
    for (const match of trimmed.matchAll(PART)) total += Number(match[1]) * UNIT_MS[match[2]!]!;
  } else {
    return undefined;
  }
  return Number.isFinite(total) && total >= 1 ? Math.round(total) : undefined;
}

/** `ms` written the way parseDuration reads it back: `30m`, `1m30s`, `250ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms);
  let text = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit]!;
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
