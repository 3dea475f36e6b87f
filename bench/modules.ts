/**
 * The benchmark modules `npm run bench` runs, in order: the relay's overhead,
 * the history sweep, the session store, the load test, and HTTP against the
 * WebSocket over long conversations. `--only name,…` picks some of them;
 * `compare` (builds of the relay against each other) runs only when named.
 */
import { compareBench } from './relay/compare-builds.js';
import { historyBench } from './relay/history-bench.js';
import { relayBench } from './relay/relay-bench.js';
import { websocketBench } from './relay/websocket-bench.js';
import { loadBench, storeBench } from './store-and-load.js';
import type { BenchModule } from './types.js';

export const BENCH_MODULES: readonly BenchModule[] = [
  relayBench,
  historyBench,
  storeBench,
  loadBench,
  websocketBench,
  compareBench,
];
