/**
 * GET /v1/usage: totals and per-group figures from the usage ledger
 * (`?group_by=model|provider|client|day|hour`, `?since=`, `?until=`).
 * GET /dashboard/api/overview: what the dashboard shows, the same figures
 * grouped three ways from one read of the ledger.
 */
import type { Context } from 'hono';
import { RelayError } from '../../errors.js';
import { storeFailure } from '../../store/response-history.js';
import { StoreUnavailableError } from '../../store/types.js';
import { summarizeUsage } from '../../usage/summarize.js';
import type { UsageRecord } from '../../usage/types.js';
import { parseUsageQuery, type UsageQuery, UsageQueryError } from '../../usage/usage-query.js';
import type { AppDependencies } from '../dependencies.js';

/** Handles GET /v1/usage. */
export async function handleUsage(context: Context, deps: AppDependencies): Promise<Response> {
  const query = readQuery(context, deps.now());
  return context.json(summarizeUsage(await readRecords(deps, query), query));
}

/** Handles GET /dashboard/api/overview (`since`, `until`, `timeline=hour|day`). */
export async function handleUsageOverview(context: Context, deps: AppDependencies): Promise<Response> {
  const query = readQuery(context, deps.now());
  const timeline = context.req.query('timeline') === 'hour' ? 'hour' : 'day';
  const records = await readRecords(deps, query);
  const range = { since: query.since, until: query.until };
  const byTime = summarizeUsage(records, { ...range, groupBy: timeline });
  return context.json({
    object: 'usage.overview',
    since: byTime.since,
    until: byTime.until,
    totals: byTime.totals,
    timeline: byTime.groups,
    by_model: summarizeUsage(records, { ...range, groupBy: 'model' }).groups,
    by_provider: summarizeUsage(records, { ...range, groupBy: 'provider' }).groups,
  });
}

async function readRecords(deps: AppDependencies, query: UsageQuery): Promise<UsageRecord[]> {
  try {
    return await deps.usage.query({ since: query.since, until: query.until });
  } catch (error) {
    // A networked ledger that is unreachable: 503 with Retry-After, as the store's routes answer.
    if (error instanceof StoreUnavailableError) throw storeFailure(error, 'The usage ledger cannot be read.');
    throw new RelayError('The usage ledger cannot be read.', {
      status: 500,
      type: 'server_error',
      code: 'usage_unavailable',
      cause: error,
    });
  }
}

function readQuery(context: Context, now: number): UsageQuery {
  try {
    return parseUsageQuery(
      { since: context.req.query('since'), until: context.req.query('until'), group_by: context.req.query('group_by') },
      now,
    );
  } catch (error) {
    if (error instanceof UsageQueryError)
      throw new RelayError(error.message, {
        status: 400,
        type: 'invalid_request_error',
        code: 'invalid_value',
        param: error.param,
      });
    throw error;
  }
}
