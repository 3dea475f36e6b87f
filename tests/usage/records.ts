/** A usage record for tests: typical values, overridden where a test cares. */
import type { UsageRecord } from '../../src/usage/types.js';

export const T0 = Date.parse('2026-05-01T10:15:00Z');

export function record(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    id: 'resp_1',
    startedAt: T0,
    client: 'codex',
    transport: 'sse',
    provider: 'deepseek',
    requestedModel: 'codex',
    upstreamModel: 'deepseek-flash',
    outcome: 'completed',
    errorCode: null,
    inputTokens: 100,
    cachedInputTokens: 40,
    outputTokens: 10,
    reasoningTokens: 2,
    firstTokenMs: 100,
    durationMs: 1000,
    retries: 0,
    fallbacks: 0,
    costUsd: 0.001,
    savedUsd: 0.0002,
    ...overrides,
  };
}
