/**
 * When to try the upstream again before any byte reached the client:
 * connection errors, 429 and 5xx, with exponential backoff and jitter,
 * honouring the upstream's Retry-After, all within a time budget. Pure.
 */
import { isRetryableFailure, type UpstreamFailure } from '../translate/upstream-errors.js';

export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** First backoff; doubles each retry. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Total time retries may add to a request. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  budgetMs: 20_000,
};

/**
 * The wait before the next attempt, or undefined when the failure is not worth
 * retrying, attempts are used up, or the wait would overrun the budget (the
 * failure then goes to the client, with its delay, to retry itself).
 */
export function retryDelayMs(
  failure: UpstreamFailure,
  retriesSoFar: number,
  elapsedMs: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (!isRetryableFailure(failure) || retriesSoFar >= policy.maxRetries) return undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retriesSoFar);
  // Half fixed, half random: spreads clients out without ever retrying at once.
  const jittered = Math.round(exponential / 2 + random() * (exponential / 2));
  const delay =
    failure.retryAfterSeconds !== undefined ? Math.max(failure.retryAfterSeconds * 1000, jittered) : jittered;
  if (elapsedMs + delay > policy.budgetMs) return undefined;
  return delay;
}
