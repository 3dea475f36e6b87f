/**
 * The query of GET /v1/usage and of the `usage` command: a time range and a
 * grouping. A time is a duration ago (`7d`, `12h`), an ISO 8601 date or
 * date-time, or Unix seconds.
 */
import { parseDuration } from '../duration.js';
import { USAGE_GROUPINGS, type UsageGrouping } from './summarize.js';

/** A problem with one parameter; the caller turns it into its own error shape. */
export class UsageQueryError extends Error {
  readonly param: string;

  constructor(param: string, message: string) {
    super(message);
    this.name = 'UsageQueryError';
    this.param = param;
  }
}

export interface UsageQuery {
  since: number | undefined;
  until: number | undefined;
  groupBy: UsageGrouping | undefined;
}

/** Reads `since`, `until` and `group_by`; throws UsageQueryError naming the bad one. */
export function parseUsageQuery(
  parameters: { since?: string | undefined; until?: string | undefined; group_by?: string | undefined },
  now: number,
): UsageQuery {
  const since = parseUsageTime('since', parameters.since, now);
  const until = parseUsageTime('until', parameters.until, now);
  if (since !== undefined && until !== undefined && since > until)
    throw new UsageQueryError(
      'since',
      `since (${new Date(since).toISOString()}) is after until (${new Date(until).toISOString()})`,
    );
  const grouping = parameters.group_by?.trim() || undefined;
  if (grouping !== undefined && !(USAGE_GROUPINGS as readonly string[]).includes(grouping)) {
    throw new UsageQueryError('group_by', `group_by must be one of ${USAGE_GROUPINGS.join(', ')}; got '${grouping}'`);
  }
  return { since, until, groupBy: grouping as UsageGrouping | undefined };
}

/** Milliseconds since the epoch for a time parameter; undefined when absent. */
export function parseUsageTime(param: string, text: string | undefined, now: number): number | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = Date.parse(value);
    if (Number.isFinite(time)) return time;
  } else {
    const ago = /[a-z]$/i.test(value) ? parseDuration(value) : undefined;
    if (ago !== undefined) return now - ago;
  }
  throw new UsageQueryError(
    param,
    `${param} must be a duration ago (e.g. 7d, 12h), an ISO 8601 date or date-time, or Unix seconds; got '${value.slice(0, 60)}'`,
  );
}
