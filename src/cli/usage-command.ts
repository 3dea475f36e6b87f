/**
 * `responses-relay usage [--since 7d] [--by model] [--json]`: the figures of
 * GET /v1/usage as a table, read from the store's usage ledger (the relay may
 * be running or not): the SQLite file, or with `--store redis --store-url …`
 * the Redis every relay of the deployment writes to. With `--store memory`
 * the ledger lives in the relay's memory: ask the running relay's
 * GET /v1/usage instead.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError } from '../config/cli-error.js';
import { silentLogger } from '../log.js';
import { defaultStorePath } from '../store/open-store.js';
import type { RedisResponseStore } from '../store/redis-store.js';
import { StoreUnavailableError } from '../store/types.js';
import { RedisUsageLedger } from '../usage/redis-ledger.js';
import { SqliteUsageLedger } from '../usage/sqlite-ledger.js';
import { summarizeUsage, type UsageFigures, type UsageGrouping, type UsageSummary } from '../usage/summarize.js';
import type { UsageLedger } from '../usage/types.js';
import { parseUsageQuery, UsageQueryError } from '../usage/usage-query.js';
import { openStoreFromOptions } from './serve-command.js';

export interface UsageOptions {
  /** Where the relay keeps its store: `sqlite` (default), `redis` or `memory`. */
  store?: string | undefined;
  storePath?: string | undefined;
  storeUrl?: string | undefined;
  storePrefix?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  by?: string | undefined;
  json: boolean;
}

/** The output of the command. */
export async function runUsage(
  options: UsageOptions,
  environment: NodeJS.ProcessEnv = process.env,
  now: number = Date.now(),
): Promise<string> {
  let query;
  try {
    query = parseUsageQuery({ since: options.since, until: options.until, group_by: options.by }, now);
  } catch (error) {
    if (error instanceof UsageQueryError)
      throw new CliError(`--${error.param === 'group_by' ? 'by' : error.param}: ${error.message}`);
    throw error;
  }
  const { ledger, close } = await openLedger(options, environment);
  try {
    const summary = summarizeUsage(await ledger.query({ since: query.since, until: query.until }), query);
    return options.json ? `${JSON.stringify(summary, null, 2)}\n` : formatUsageTable(summary);
  } catch (error) {
    if (error instanceof StoreUnavailableError) throw new CliError(`cannot read the usage ledger: ${error.message}`);
    throw error;
  } finally {
    await close();
  }
}

/** The ledger to read, and how to let go of it. */
async function openLedger(
  options: UsageOptions,
  environment: NodeJS.ProcessEnv,
): Promise<{ ledger: UsageLedger; close: () => Promise<void> }> {
  const kind = options.store ?? 'sqlite';
  if (kind === 'memory') {
    throw new CliError(
      "with --store memory the usage ledger lives in the running relay's memory; ask the relay: GET /v1/usage (e.g. curl http://127.0.0.1:8787/v1/usage)",
    );
  }
  if (kind === 'redis') {
    const store = (await openStoreFromOptions(
      { store: 'redis', storeUrl: options.storeUrl, storePrefix: options.storePrefix },
      silentLogger(),
    )) as RedisResponseStore;
    try {
      await store.ping();
    } catch {
      await store.close();
      throw new CliError(
        `cannot read the usage ledger: Redis at ${store.location} is unreachable; check --store-url and that Redis runs`,
      );
    }
    return { ledger: new RedisUsageLedger(store), close: () => store.close() };
  }
  if (kind !== 'sqlite') throw new CliError(`--store must be 'memory', 'sqlite' or 'redis', got '${kind}'`);
  const path = resolve(options.storePath ?? defaultStorePath(environment));
  if (!existsSync(path))
    throw new CliError(
      `no usage recorded at ${path} (the file does not exist); the ledger is kept by a relay running with --store sqlite or redis`,
    );
  try {
    const ledger = new SqliteUsageLedger({ path, readonly: true });
    return { ledger, close: () => ledger.close() };
  } catch (error) {
    throw new CliError(`cannot read the usage ledger in ${path}: ${(error as Error).message}`);
  }
}

/** The summary as an aligned table: one row per group, then the totals. */
export function formatUsageTable(summary: UsageSummary): string {
  const grouping: UsageGrouping = summary.group_by ?? 'model';
  const header = [
    grouping.toUpperCase(),
    'TURNS',
    'FAILED',
    'INPUT',
    'CACHED',
    'OUTPUT',
    'REASONING',
    'COST',
    'SAVED',
    'FIRST TOKEN p50',
    'TOTAL p50',
  ];
  const row = (key: string, figures: UsageFigures) => [
    key,
    count(figures.turns),
    count(figures.failed),
    count(figures.input_tokens),
    count(figures.cached_input_tokens),
    count(figures.output_tokens),
    count(figures.reasoning_tokens),
    dollars(figures.cost_usd, figures.unpriced_turns),
    dollars(figures.saved_usd, 0),
    milliseconds(figures.latency_ms.first_token?.p50),
    milliseconds(figures.latency_ms.total?.p50),
  ];
  const rows = [...summary.groups.map((group) => row(group.key, group)), row('total', summary.totals)];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  const period = `since ${summary.since === null ? 'the start' : new Date(summary.since).toISOString()}${summary.until === null ? '' : ` until ${new Date(summary.until).toISOString()}`}`;
  const notes =
    summary.totals.unpriced_turns > 0
      ? `\n${summary.totals.unpriced_turns} turns have no known price (marked +); their cost is not included.`
      : '';
  return `${period}\n${[line(header), ...rows.map(line)].join('\n')}\nCost is estimated at list price.${notes}\n`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function dollars(value: number | null, unpriced: number): string {
  if (value === null) return unpriced > 0 ? 'unknown' : '-';
  return `$${value.toFixed(4)}${unpriced > 0 ? '+' : ''}`;
}

function milliseconds(value: number | undefined): string {
  if (value === undefined) return '-';
  return value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(2)} s`;
}
