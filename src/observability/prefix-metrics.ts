/**
 * How HTTP turns of a named conversation were read: continuing a kept request
 * (only the new items parsed and translated) or whole. Read from the cache
 * when /metrics is scraped.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the cache of HTTP conversations reports (request-prefix-cache.ts). */
export interface PrefixCacheFigures {
  readonly counters: { readonly continued: number; readonly whole: number; readonly reusedItems: number };
  readonly bytesHeld: number;
}

/** Registers `responses_relay_conversation_requests_total`, `…_reused_items_total` and `…_kept_bytes`. */
export function registerPrefixMetrics(registry: Registry, cache: PrefixCacheFigures): void {
  const reported = { continued: 0, whole: 0, reusedItems: 0 };
  new Counter({
    name: 'responses_relay_conversation_requests_total',
    help: 'HTTP requests naming a conversation (session-id): read as the continuation of a kept request, or whole',
    labelNames: ['read'],
    registers: [registry],
    collect() {
      const { continued, whole } = cache.counters;
      this.inc({ read: 'continued' }, continued - reported.continued);
      this.inc({ read: 'whole' }, whole - reported.whole);
      reported.continued = continued;
      reported.whole = whole;
    },
  });
  new Counter({
    name: 'responses_relay_conversation_reused_items_total',
    help: 'Input items taken from kept requests instead of being parsed, validated and translated again',
    registers: [registry],
    collect() {
      this.inc(cache.counters.reusedItems - reported.reusedItems);
      reported.reusedItems = cache.counters.reusedItems;
    },
  });
  new Gauge({
    name: 'responses_relay_conversation_kept_bytes',
    help: 'Bytes of request bodies kept for conversations (what --prefix-cache-mb limits)',
    registers: [registry],
    collect() {
      this.set(cache.bytesHeld);
    },
  });
}
