/**
 * The relay's own heap setting for `serve`. Under concurrent streams the live
 * heap stays near 20 MB, but V8 by default lets the old generation grow to
 * several times its live size before it collects, and the process keeps the
 * memory it grew: the peak RSS at 32 concurrent streams was about three times
 * the idle figure. A smaller growth step keeps the peak close to the working
 * set for about the same CPU (measured in docs/benchmarks.md, step 09).
 *
 * `--heap-growing-percent` is read by V8 each time it sizes the heap, so it
 * can be set from the running process; a value given to `node` on the command
 * line wins (Node refuses this flag in NODE_OPTIONS).
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Applies the relay's heap growth step unless the operator gave `node` one; returns whether it was applied. */
export function applyHeapSettings(nodeArguments: readonly string[] = process.execArgv): boolean {
  if (nodeArguments.some((argument) => /^--heap[-_]growing[-_]percent\b/.test(argument))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
