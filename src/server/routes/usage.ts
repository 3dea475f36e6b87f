/**
 * GET /v1/usage: totals and per-group figures from the usage ledger
 * (`?group_by=model|provider|client|day|hour`, `?since=`, `?until=`). The
 * dashboard reads the same handler under /dashboard/api/usage.
 */
import type { Context } from 'hono';
import { RelayError } from '../../errors.js';
import { summarizeUsage } from '../../usage/summarize.js';
import { parseUsageQuery, UsageQueryError, type UsageQuery } from '../../usage/usage-query.js';
import type { AppDependencies } from '../dependencies.js';

/** Handles GET /v1/usage. */
export async function handleUsage(context: Context, deps: AppDependencies): Promise<Response> {
  const query = readQuery(context, deps.now());
  let records;
  try {
    records = await deps.usage.query({ since: query.since, until: query.until });
  } catch (error) {
    throw new RelayError('The usage ledger cannot be read.', { status: 500, type: 'server_error', code: 'usage_unavailable', cause: error });
  }
  return context.json(summarizeUsage(records, query));
}

function readQuery(context: Context, now: number): UsageQuery {
  try {
    return parseUsageQuery({ since: context.req.query('since'), until: context.req.query('until'), group_by: context.req.query('group_by') }, now);
  } catch (error) {
    if (error instanceof UsageQueryError) throw new RelayError(error.message, { status: 400, type: 'invalid_request_error', code: 'invalid_value', param: error.param });
    throw error;
  }
}
