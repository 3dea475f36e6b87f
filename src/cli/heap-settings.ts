/**
 * The relay's own heap setting for `serve`. Under concurrent streams the live
 * heap stays near 25 MB, but V8 by default lets the old generation grow to
 * several times its live size before it collects, and the process keeps the
 * memory it grew: the peak RSS at 32 concurrent streams was about 240 MB. A
 * growth step of 100% keeps the peak near 180 MB; a smaller one keeps it
 * lower still but collects so often that it costs CPU: at 50% the relay took
 * about 20% more CPU per stream than at 100% or V8's default, for about
 * 13 MB less (measured in docs/benchmarks.md, step 21).
 *
 * `--heap-growing-percent` is read by V8 each time it sizes the heap, so it
 * can be set from the running process; a value given to `node` on the command
 * line wins (Node refuses this flag in NODE_OPTIONS).
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

/** Applies the relay's heap growth step unless the operator gave `node` one; returns whether it was applied. */
export function applyHeapSettings(nodeArguments: readonly string[] = process.execArgv): boolean {
  if (nodeArguments.some((argument) => /^--heap[-_]growing[-_]percent\b/.test(argument))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
