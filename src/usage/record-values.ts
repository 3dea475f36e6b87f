/**
 * A usage record as a flat list of values in one fixed order: the SQLite
 * ledger's column order, and the compact form the Redis ledger stores.
 */
import type { UsageRecord } from './types.js';

/** The fields of a record, in the order of its values. */
export const USAGE_RECORD_FIELDS = [
  'id',
  'startedAt',
  'client',
  'transport',
  'provider',
  'requestedModel',
  'upstreamModel',
  'outcome',
  'errorCode',
  'inputTokens',
  'cachedInputTokens',
  'outputTokens',
  'reasoningTokens',
  'firstTokenMs',
  'durationMs',
  'retries',
  'fallbacks',
  'costUsd',
  'savedUsd',
] as const satisfies ReadonlyArray<keyof UsageRecord>;

/** The record's values in the order of USAGE_RECORD_FIELDS. */
export function usageRecordValues(record: UsageRecord): unknown[] {
  return USAGE_RECORD_FIELDS.map((field) => record[field]);
}

/** A record from values in the order of USAGE_RECORD_FIELDS (as written by usageRecordValues or selected in that order). */
export function usageRecordFromValues(values: readonly unknown[]): UsageRecord {
  const record: Record<string, unknown> = {};
  USAGE_RECORD_FIELDS.forEach((field, index) => {
    record[field] = values[index] ?? null;
  });
  return record as unknown as UsageRecord;
}
