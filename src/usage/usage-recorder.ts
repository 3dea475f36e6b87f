/**
 * Takes finished turns off the request path into the ledger, and keeps what
 * the dashboard shows live: the turns in flight and the ones just finished.
 * Records are written in batches a moment after their turns end; a failed
 * write is logged and never reaches a client. Old records are pruned at
 * start-up and every hour.
 */
import type { Logger } from '../log.js';
import type { UsageLedger, UsageRange, UsageRecord } from './types.js';

/** A turn as the live list shows it: in flight until `record` is set. */
export interface LiveTurn {
  /** The request id: stable from start to end. */
  key: string;
  startedAt: number;
  client: UsageRecord['client'];
  transport: UsageRecord['transport'];
  provider: string;
  requestedModel: string;
  upstreamModel: string;
  /** Set once the turn ended. */
  record?: UsageRecord;
}

export type LiveEvent = { type: 'started'; turn: LiveTurn } | { type: 'finished'; turn: LiveTurn };

export interface LiveSubscriber {
  send(event: LiveEvent): void;
  /** The recorder is closing (the relay shuts down): end the stream. */
  end(): void;
}

export interface UsageRecorderOptions {
  ledger: UsageLedger;
  /** Records older than this are pruned. */
  retentionMs: number;
  logger: Logger;
  now?: () => number;
  /** How long finished turns wait to be written together. */
  flushDelayMs?: number;
}

/** Finished turns the live list keeps. */
const RECENT_TURNS = 25;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export class UsageRecorder {
  readonly ledger: UsageLedger;
  private readonly options: UsageRecorderOptions;
  private readonly now: () => number;
  private pending: UsageRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly inFlight = new Map<string, LiveTurn>();
  private readonly recent: LiveTurn[] = [];
  private readonly subscribers = new Set<LiveSubscriber>();
  private readonly pruneTimer: NodeJS.Timeout;
  /** Writes that failed (the records are lost; the turns were not affected). */
  writeFailures = 0;

  constructor(options: UsageRecorderOptions) {
    this.options = options;
    this.ledger = options.ledger;
    this.now = options.now ?? Date.now;
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    void this.prune();
  }

  /** A turn started. */
  started(turn: LiveTurn): void {
    this.inFlight.set(turn.key, turn);
    this.broadcast({ type: 'started', turn });
  }

  /** A turn ended: shown live at once, written to the ledger shortly. */
  finished(key: string, record: UsageRecord): void {
    this.inFlight.delete(key);
    const turn: LiveTurn = {
      key,
      startedAt: record.startedAt,
      client: record.client,
      transport: record.transport,
      provider: record.provider,
      requestedModel: record.requestedModel,
      upstreamModel: record.upstreamModel,
      record,
    };
    this.recent.push(turn);
    if (this.recent.length > RECENT_TURNS) this.recent.shift();
    this.broadcast({ type: 'finished', turn });
    this.pending.push(record);
    this.flushTimer ??= setTimeout(() => void this.flush(), this.options.flushDelayMs ?? 200);
  }

  /** In-flight turns (oldest first), then the ones just finished (newest last). */
  liveTurns(): LiveTurn[] {
    return [...this.inFlight.values(), ...this.recent];
  }

  /** Follows the live list; returns the function that stops following. */
  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Records in the range, including those not written yet. */
  async query(range: UsageRange): Promise<UsageRecord[]> {
    await this.flush();
    return this.ledger.query(range);
  }

  /** Writes the records waiting; resolves once every write so far is done. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.ledger.record(batch);
      } catch (error) {
        this.writeFailures++;
        this.options.logger.error({ err: error, records: batch.length }, 'usage ledger write failed');
      }
    });
    return this.writing;
  }

  /** Removes records older than the retention period. */
  async prune(): Promise<void> {
    try {
      await this.ledger.prune(this.now() - this.options.retentionMs);
    } catch (error) {
      this.options.logger.error({ err: error }, 'usage ledger prune failed');
    }
  }

  /** Ends every live stream (a shutdown must not wait for them). */
  endSubscribers(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.subscribers.clear();
  }

  /** Ends live streams, writes what is waiting and stops the timers (the ledger stays open). */
  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    this.endSubscribers();
    await this.flush();
  }

  private broadcast(event: LiveEvent): void {
    for (const subscriber of this.subscribers) subscriber.send(event);
  }
}
