/** Reading a module's numeric command-line options. */
import type { BenchContext } from '../types.js';

/** The option `--name` as a number: `normal`, or `quick` with --quick, when it is not given. */
export function numberOption(context: BenchContext, name: string, normal: number, quick: number): number {
  const raw = context.options[name];
  if (typeof raw !== 'string') return context.quick ? quick : normal;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number, got '${raw}'`);
  return value;
}
