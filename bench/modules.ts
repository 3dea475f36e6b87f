/**
 * The benchmark modules `npm run bench` runs, in order. A new module (e.g.
 * the session store) is added here; `--only name,…` picks some of them.
 */
import { relayBench } from './relay/relay-bench.js';
import type { BenchModule } from './types.js';

export const BENCH_MODULES: readonly BenchModule[] = [relayBench];
