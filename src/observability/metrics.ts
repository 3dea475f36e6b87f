/**
 * Prometheus metrics (prom-client): what an operator needs to see a relay's
 * health at a glance. Labels never carry secrets or message content.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { StoreStats } from '../store/types.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface RelayMetrics {
  registry: Registry;
  requests: Counter<'route' | 'provider' | 'model' | 'status'>;
  timeToFirstByte: Histogram<'provider' | 'model'>;
  duration: Histogram<'provider' | 'model' | 'status'>;
  tokens: Counter<'provider' | 'model' | 'kind'>;
  upstreamErrors: Counter<'provider' | 'code'>;
  retries: Counter<'provider'>;
  activeStreams: Gauge;
  queuedRequests: Gauge;
  storeBytes: Gauge;
  storeWriteFailures: Counter;
  usageWriteFailures: Counter;
}

/** Values read when the metrics are scraped rather than counted as they happen. */
export interface MetricSources {
  storeStats: () => Promise<StoreStats>;
  /** Failed store writes so far (a running count; the counter follows it). */
  storeWriteFailures: () => number;
  /** Requests waiting for an upstream slot. */
  queuedRequests: () => number;
  /** Failed usage ledger writes so far (a running count). */
  usageWriteFailures: () => number;
}

export interface MetricsOptions {
  /** Node's process metrics (memory, CPU, event loop), prefixed `responses_relay_`; default true. */
  processMetrics?: boolean;
  sources?: MetricSources;
}

/** Creates a registry with the relay's metrics (and Node's process metrics). */
export function createMetrics(options: MetricsOptions = {}): RelayMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'responses_relay_' });
  const sources = options.sources;
  return {
    registry,
    requests: new Counter({
      name: 'responses_relay_requests_total',
      help: 'Requests by route, provider, model and outcome status',
      labelNames: ['route', 'provider', 'model', 'status'],
      registers: [registry],
    }),
    timeToFirstByte: new Histogram({
      name: 'responses_relay_upstream_first_byte_seconds',
      help: 'Time from receiving a request to the upstream answering',
      labelNames: ['provider', 'model'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'responses_relay_response_duration_seconds',
      help: 'Time from receiving a request to its last byte',
      labelNames: ['provider', 'model', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'responses_relay_tokens_total',
      help: 'Tokens reported by upstreams, by kind (input, output, reasoning, cached)',
      labelNames: ['provider', 'model', 'kind'],
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: 'responses_relay_upstream_errors_total',
      help: 'Upstream failures by the code reported to the client',
      labelNames: ['provider', 'code'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'responses_relay_upstream_retries_total',
      help: 'Upstream attempts repeated before the first byte reached the client',
      labelNames: ['provider'],
      registers: [registry],
    }),
    activeStreams: new Gauge({
      name: 'responses_relay_active_streams',
      help: 'Responses holding an upstream slot right now (streamed or not)',
      registers: [registry],
    }),
    queuedRequests: new Gauge({
      name: 'responses_relay_queued_requests',
      help: 'Requests waiting for an upstream slot (--max-concurrent reached)',
      registers: [registry],
      ...(sources
        ? {
            collect() {
              this.set(sources.queuedRequests());
            },
          }
        : {}),
    }),
    storeBytes: new Gauge({
      name: 'responses_relay_store_bytes',
      help: 'Bytes of stored responses (what --store-max-mb limits)',
      registers: [registry],
      ...(sources
        ? {
            async collect() {
              try {
                this.set((await sources.storeStats()).bytes);
              } catch {
                // The last value stays; /readyz reports a store that cannot be read.
              }
            },
          }
        : {}),
    }),
    storeWriteFailures: new Counter({
      name: 'responses_relay_store_write_failures_total',
      help: 'Responses that could not be stored (the client still got them)',
      registers: [registry],
      ...(sources ? { collect: followCount(sources.storeWriteFailures) } : {}),
    }),
    usageWriteFailures: new Counter({
      name: 'responses_relay_usage_write_failures_total',
      help: 'Batches of usage records that could not be written to the usage ledger (the turns were served)',
      registers: [registry],
      ...(sources ? { collect: followCount(sources.usageWriteFailures) } : {}),
    }),
  };
}

/** A counter's collect(): follows a running count kept elsewhere. */
function followCount(read: () => number): (this: Counter) => void {
  let reported = 0;
  return function collect(this: Counter) {
    const count = read();
    if (count > reported) this.inc(count - reported);
    reported = count;
  };
}
