/**
 * The shape every benchmark module has, so `npm run bench` can run a list of
 * them (relay overhead, session store, …) and write one results file and one
 * document.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionValues = Record<string, string | boolean | undefined>;

export interface BenchContext {
  /** Option values parsed from the command line (each module's own `options`). */
  options: OptionValues;
  /** Smaller counts, for a quick look (seconds instead of minutes). */
  quick: boolean;
  /** The repository root. */
  root: string;
  /** Progress lines for the person running the bench (stderr). */
  log: (line: string) => void;
}

export interface BenchSection {
  /** Everything measured, written to the results JSON under the module's name. */
  results: unknown;
  /** Markdown placed between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in docs/benchmarks.md. */
  markdown: string;
  /** Extra files to write, relative to the repository root (e.g. an SVG chart). */
  files?: Record<string, string>;
}

export interface BenchModule {
  name: string;
  description: string;
  /** Command-line options the module reads (node:util parseArgs format). */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Left out of a run that does not name it with --only (a tool for comparing builds, not a figure to publish). */
  onlyWhenAsked?: boolean;
  run(context: BenchContext): Promise<BenchSection>;
}
