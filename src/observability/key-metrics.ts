/**
 * Per-key metrics of providers with key pools, labelled by provider and the
 * name of the variable holding the key (never the key). Read from the pools
 * when /metrics is scraped.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { KEY_OUTCOMES, type KeyStatus } from '../routing/key-pool.js';
import type { ModelRouter } from '../routing/router.js';

const STATUSES: readonly KeyStatus[] = ['healthy', 'resting', 'set_aside'];

/** Registers `responses_relay_upstream_key_requests_total` and `responses_relay_upstream_key_status`. */
export function registerKeyMetrics(registry: Registry, router: ModelRouter, now: () => number): void {
  const pooled = () => [...router.providers.values()].filter((provider) => provider.keyPool !== undefined);
  if (pooled().length === 0) return;
  const reported = new Map<string, number>();
  new Counter({
    name: 'responses_relay_upstream_key_requests_total',
    help: 'Upstream requests per pooled key (named by its variable) and outcome: served, refused, rate_limited, out_of_quota, failed',
    labelNames: ['provider', 'key', 'outcome'],
    registers: [registry],
    collect() {
      for (const provider of pooled()) {
        for (const key of provider.keyPool!.describe(now())) {
          for (const outcome of KEY_OUTCOMES) {
            const labels = { provider: provider.name, key: key.variable, outcome };
            const id = JSON.stringify(labels);
            const previous = reported.get(id) ?? 0;
            // inc(0) makes the series visible from the first scrape.
            this.inc(labels, key.counts[outcome] - previous);
            reported.set(id, key.counts[outcome]);
          }
        }
      }
    },
  });
  new Gauge({
    name: 'responses_relay_upstream_key_status',
    help: 'Status of each pooled key (1 for its current status): healthy, resting (rate limited or out of quota), set_aside (refused)',
    labelNames: ['provider', 'key', 'status'],
    registers: [registry],
    collect() {
      for (const provider of pooled()) {
        for (const key of provider.keyPool!.describe(now())) {
          for (const status of STATUSES)
            this.set({ provider: provider.name, key: key.variable, status }, key.status === status ? 1 : 0);
        }
      }
    },
  });
}
