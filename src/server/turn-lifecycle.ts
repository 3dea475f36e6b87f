/**
 * One POST /v1/responses from the moment it asks for an upstream slot to its
 * last byte. Whatever ends the turn — the last event, an error, the total
 * timeout, a shutdown, the client going away — the same things happen exactly
 * once: the upstream slot is released, the timer cleared, the turn leaves the
 * registry, and its metrics and its `response finished` log line are written.
 */
import type { Logger } from '../log.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { ResponseObject } from '../translate/stream/response-object.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import { CutOffError } from '../upstream/network-errors.js';
import type { TurnUsage } from '../usage/turn-usage.js';
import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { RequestLabels } from './request-labels.js';
import type { TurnOutcome } from './turn-stream.js';

/** How a turn ended; `httpStatus` when it ended as an HTTP error instead of a stream. */
export interface TurnEnding extends TurnOutcome {
  httpStatus?: number;
}

/** The turns in flight (a shutdown ends them), and whether the relay is draining. */
export class TurnRegistry {
  private readonly turns = new Set<TurnLifecycle>();
  /** True once a shutdown has begun: new requests are turned away. */
  draining = false;

  get size(): number {
    return this.turns.size;
  }

  add(turn: TurnLifecycle): void {
    this.turns.add(turn);
  }

  delete(turn: TurnLifecycle): void {
    this.turns.delete(turn);
  }

  /** Stops every turn still running with the given failure (the relay is going away). */
  cutOffAll(failure: UpstreamFailure): void {
    for (const turn of [...this.turns]) turn.cutOff(failure, 'shutdown');
  }
}

export interface TurnLifecycleOptions {
  labels: RequestLabels;
  /** The request's logger. */
  log: Logger;
  metrics: RelayMetrics;
  limiter: ConcurrencyLimiter;
  registry: TurnRegistry;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** When the request arrived. */
  startedAt: number;
  /** Longest the turn may hold its upstream slot. */
  totalTimeoutMs: number;
  /** Aborted by the HTTP server when the client goes away. */
  clientSignal: AbortSignal;
  /** The request's content for the log line (the output is added when the turn ends); only with --log-content. */
  content?: Record<string, unknown>;
  /** The turn's entry in the usage ledger (never given content). */
  usage?: TurnUsage;
  /** The route label in the metrics; `/v1/responses` unless the turn came in another way. */
  route?: string;
}

/** What a turn answers with: its response as it stands, read when the turn ends. */
export interface TurnSource {
  readonly response: ResponseObject;
}

/** The route label of every turn in the metrics. */
const RESPONSES_ROUTE = '/v1/responses';

export class TurnLifecycle {
  private readonly options: TurnLifecycleOptions;
  private readonly controller = new AbortController();
  private releaseSlot: (() => void) | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private ended = false;
  /** Set once the turn's response is started; a turn that ends before has none. */
  private source: { response: () => ResponseObject; output: () => unknown } | undefined;
  private readonly onClientAbort = () => {
    this.controller.abort(new Error('client disconnected'));
    this.end({ status: 'aborted' });
  };

  constructor(options: TurnLifecycleOptions) {
    this.options = options;
    options.registry.add(this);
    if (options.clientSignal.aborted) this.onClientAbort();
    else options.clientSignal.addEventListener('abort', this.onClientAbort, { once: true });
  }

  /**
   * The response this turn answers with, read when it ends for the metrics,
   * the log line and the usage record; `output` is what --log-content shows
   * as its output (by default the response's output items).
   */
  attach(source: TurnSource, output: () => unknown = () => source.response.output): void {
    this.source = { response: () => source.response, output };
  }

  /** Aborts the upstream request (and a wait for a slot): client gone, timeout, shutdown or response over. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get clientGone(): boolean {
    return this.options.clientSignal.aborted;
  }

  /** Waits for an upstream slot (503 when the queue is full), then starts the total timeout. */
  async acquireSlot(): Promise<void> {
    const release = await this.options.limiter.acquire(this.signal);
    if (this.ended) {
      release();
      return;
    }
    this.releaseSlot = release;
    this.options.metrics.activeStreams.inc();
    const totalMs = this.options.totalTimeoutMs;
    this.totalTimer = setTimeout(() => this.cutOff(totalTimeoutFailure(totalMs), 'total-timeout'), totalMs);
    this.totalTimer.unref();
  }

  /** The upstream answered (its response headers arrived). */
  upstreamAnswered(): void {
    const { metrics, labels, now, startedAt } = this.options;
    metrics.timeToFirstByte.observe(labels, (now() - startedAt) / 1000);
  }

  /** Stops the upstream request; the turn then ends with `failure` (response.failed for a stream). */
  cutOff(failure: UpstreamFailure, kind: CutOffError['kind']): void {
    if (this.ended || this.controller.signal.aborted) return;
    this.controller.abort(new CutOffError(failure, kind));
  }

  /**
   * The relay's own reason for stopping this turn (total timeout, shutdown),
   * if it did. Read from the signal rather than from a caught error: a wait
   * that was aborted (a retry's backoff) throws an AbortError of its own.
   */
  get cutOffReason(): CutOffError | undefined {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof CutOffError ? reason : undefined;
  }

  /** Stops what is left of the upstream request once the response is over. */
  stopUpstream(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new Error('response ended'));
  }

  /** Ends the turn; later calls do nothing. */
  end(ending: TurnEnding): void {
    if (this.ended) return;
    this.ended = true;
    const { options } = this;
    clearTimeout(this.totalTimer);
    options.clientSignal.removeEventListener('abort', this.onClientAbort);
    if (this.releaseSlot) {
      this.releaseSlot();
      options.metrics.activeStreams.dec();
    }
    options.registry.delete(this);
    this.record(ending);
  }

  private record(ending: TurnEnding): void {
    const { metrics, labels, log } = this.options;
    const response = this.source?.response();
    const seconds = (this.options.now() - this.options.startedAt) / 1000;
    const status = ending.httpStatus !== undefined ? String(ending.httpStatus) : ending.status;
    metrics.requests.inc({ route: this.options.route ?? RESPONSES_ROUTE, ...labels, status });
    metrics.duration.observe({ ...labels, status }, seconds);
    const usage = response?.usage;
    const tokens = usage
      ? {
          inputTokens: usage.input_tokens,
          outputTokens: usage.output_tokens,
          reasoningTokens: usage.output_tokens_details?.reasoning_tokens ?? 0,
          cachedTokens: usage.input_tokens_details?.cached_tokens ?? 0,
        }
      : undefined;
    if (tokens) {
      metrics.tokens.inc({ ...labels, kind: 'input' }, tokens.inputTokens);
      metrics.tokens.inc({ ...labels, kind: 'output' }, tokens.outputTokens);
      metrics.tokens.inc({ ...labels, kind: 'reasoning' }, tokens.reasoningTokens);
      metrics.tokens.inc({ ...labels, kind: 'cached' }, tokens.cachedTokens);
    }
    const shutdown = this.cutOffReason?.kind === 'shutdown';
    if (ending.failure && !shutdown)
      metrics.upstreamErrors.inc({ provider: labels.provider, code: ending.failure.code });
    const fields = {
      ...(response ? { responseId: response.id } : {}),
      status: ending.status,
      ...(ending.httpStatus !== undefined ? { httpStatus: ending.httpStatus } : {}),
      ...(ending.failure ? { failure: ending.failure.code, failureMessage: ending.failure.message } : {}),
      ms: Math.round(seconds * 1000),
      ...tokens,
      ...(this.options.content ? { ...this.options.content, output: this.source?.output() } : {}),
    };
    if (ending.status === 'failed') log.warn(fields, 'response finished');
    else log.info(fields, 'response finished');
    this.options.usage?.finish({
      outcome: ending.status === 'aborted' ? 'client_gone' : ending.status,
      errorCode:
        ending.status === 'failed'
          ? (ending.failure?.code ?? (ending.httpStatus !== undefined ? `http_${ending.httpStatus}` : null))
          : null,
      responseId: response?.id,
      usage: tokens && {
        inputTokens: tokens.inputTokens,
        cachedInputTokens: tokens.cachedTokens,
        outputTokens: tokens.outputTokens,
        reasoningTokens: tokens.reasoningTokens,
      },
      endedAt: this.options.now(),
    });
  }
}

function totalTimeoutFailure(totalMs: number): UpstreamFailure {
  return {
    code: 'server_error',
    message: `The response did not finish within the relay's total timeout (${Math.round(totalMs / 1000)} s), so the upstream request was stopped. Try again; the relay's operator can raise --total-timeout.`,
  };
}
