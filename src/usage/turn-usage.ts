/**
 * What one turn contributes to the usage ledger, gathered while it runs:
 * who asked, which route served it, retries and fallbacks, when the first
 * output went out. `finish` builds the record from the usage the upstream
 * reported and hands it to the recorder.
 */
import type { ModelPrice } from '../translate/provider-hooks.js';
import { costOf, findPrice } from './prices.js';
import type { UsageClient, UsageOutcome, UsageRecord } from './types.js';
import type { UsageRecorder } from './usage-recorder.js';

/** The client behind a user agent (Codex sends `codex_exec/…` or `codex_cli_rs/…`). */
export function clientOf(userAgent: string | undefined): UsageClient {
  const agent = userAgent ?? '';
  if (/codex/i.test(agent)) return 'codex';
  if (/claude-cli|claude-code/i.test(agent)) return 'claude-code';
  if (/^openai\//i.test(agent)) return 'openai-sdk';
  return 'other';
}

export interface TurnUsageStart {
  /** The request id. */
  key: string;
  startedAt: number;
  userAgent: string | undefined;
  transport: UsageRecord['transport'];
  provider: string;
  requestedModel: string;
  upstreamModel: string;
  prices: readonly ModelPrice[];
}

/** How a turn ended, as the ledger counts it. */
export interface TurnUsageEnd {
  outcome: UsageOutcome;
  errorCode: string | null;
  /** The response id, when a response was started. */
  responseId: string | undefined;
  usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningTokens: number } | undefined;
  endedAt: number;
}

export class TurnUsage {
  private readonly recorder: UsageRecorder;
  private readonly start: TurnUsageStart;
  private provider: string;
  private upstreamModel: string;
  private prices: readonly ModelPrice[];
  private retries = 0;
  private fallbacks = 0;
  private firstOutputAt: number | undefined;
  private finished = false;

  constructor(recorder: UsageRecorder, start: TurnUsageStart) {
    this.recorder = recorder;
    this.start = start;
    this.provider = start.provider;
    this.upstreamModel = start.upstreamModel;
    this.prices = start.prices;
    recorder.started({
      key: start.key,
      startedAt: start.startedAt,
      client: clientOf(start.userAgent),
      transport: start.transport,
      provider: start.provider,
      requestedModel: start.requestedModel,
      upstreamModel: start.upstreamModel,
    });
  }

  noteRetry(): void {
    this.retries++;
  }

  noteFallback(): void {
    this.fallbacks++;
  }

  /** The route that answered (a fallback's, when the first failed). */
  servedBy(provider: string, upstreamModel: string, prices: readonly ModelPrice[]): void {
    this.provider = provider;
    this.upstreamModel = upstreamModel;
    this.prices = prices;
  }

  /** The first output delta went out; later calls do nothing. */
  firstOutput(at: number): void {
    this.firstOutputAt ??= at;
  }

  /** Records the turn; later calls do nothing. */
  finish(end: TurnUsageEnd): void {
    if (this.finished) return;
    this.finished = true;
    const { start } = this;
    const tokens = end.usage ?? { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
    const cost = costOf(tokens, findPrice(this.prices, this.upstreamModel));
    this.recorder.finished(start.key, {
      id: end.responseId ?? start.key,
      startedAt: start.startedAt,
      client: clientOf(start.userAgent),
      transport: start.transport,
      provider: this.provider,
      requestedModel: start.requestedModel,
      upstreamModel: this.upstreamModel,
      outcome: end.outcome,
      errorCode: end.errorCode,
      ...tokens,
      firstTokenMs: this.firstOutputAt === undefined ? null : Math.max(0, this.firstOutputAt - start.startedAt),
      durationMs: Math.max(0, end.endedAt - start.startedAt),
      retries: this.retries,
      fallbacks: this.fallbacks,
      ...cost,
    });
  }
}
