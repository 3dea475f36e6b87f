/**
 * `npm run bench`: runs the benchmark modules, writes the results as JSON to
 * bench/results/ and the tables (and charts) into docs/benchmarks.md.
 *
 *   npm run bench                         every module, full counts (a few minutes)
 *   npm run bench -- --quick              smaller counts, for a quick look
 *   npm run bench -- --only relay         some modules
 *   npm run bench -- --label my-change    results to bench/results/my-change.json; docs untouched
 *
 * Each module's own options are listed by `--help`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BENCH_MODULES } from './modules.js';
import { placeSection } from './support/document.js';
import { describeMachine, type MachineInfo } from './support/machine.js';
import type { BenchModule, OptionValues } from './types.js';

/** The repository root: this file runs from .bench-build/bench/. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC_PATH = join(ROOT, 'docs', 'benchmarks.md');

const GLOBAL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  only: { type: 'string' },
  quick: { type: 'boolean', default: false },
  label: { type: 'string' },
  'max-minutes': { type: 'string', default: '10' },
  help: { type: 'boolean', default: false },
};

function usage(): string {
  const lines = [
    'usage: npm run bench -- [--quick] [--only name,…] [--label name] [--max-minutes 10] [module options]',
    '',
    'modules:',
  ];
  for (const module of BENCH_MODULES) {
    lines.push(`  ${module.name}: ${module.description}`);
    lines.push(
      `    options: ${Object.keys(module.options)
        .map((name) => `--${name}`)
        .join(' ')}`,
    );
  }
  return lines.join('\n');
}

function machineLine(machine: MachineInfo): string {
  return (
    `Last run: ${machine.date.slice(0, 16).replace('T', ' ')} UTC at commit \`${machine.commit}\`${machine.dirty ? ' (with uncommitted changes)' : ''}; ` +
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}, Node ${machine.node}; ` +
    `1-minute load average at start ${machine.loadAverageAtStart}; reference workload ${machine.referenceCpuMs} ms CPU (see below).`
  );
}

async function main(): Promise<void> {
  const options: NonNullable<ParseArgsConfig['options']> = { ...GLOBAL_OPTIONS };
  for (const module of BENCH_MODULES) Object.assign(options, module.options);
  const { values } = parseArgs({ options, strict: true });
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const maxMinutes = Number(values['max-minutes']);
  // However a run goes wrong, it stops by itself (helper processes are killed on exit).
  setTimeout(() => {
    process.stderr.write(`bench: stopped after --max-minutes ${maxMinutes}\n`);
    process.exit(2);
  }, maxMinutes * 60_000).unref();
  const only = typeof values.only === 'string' ? values.only.split(',').map((name) => name.trim()) : undefined;
  const unknown = only?.filter((name) => !BENCH_MODULES.some((module) => module.name === name)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `unknown module(s) ${unknown.join(', ')}; known: ${BENCH_MODULES.map((module) => module.name).join(', ')}`,
    );
  const selected: BenchModule[] = BENCH_MODULES.filter((module) =>
    only === undefined ? !module.onlyWhenAsked : only.includes(module.name),
  );

  const machine = describeMachine(ROOT);
  const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  log(
    `${machine.cpuModel} × ${machine.cores}, Node ${machine.node}, load ${machine.loadAverageAtStart}, reference ${machine.referenceCpuMs} ms, commit ${machine.commit}${machine.dirty ? ' (dirty)' : ''}`,
  );

  const results: Record<string, unknown> = {};
  const sections: Array<{ name: string; markdown: string }> = [];
  const files: Record<string, string> = {};
  for (const module of selected) {
    log(`— ${module.name}`);
    const startedAt = Date.now();
    const section = await module.run({
      options: values as OptionValues,
      quick: values.quick === true,
      root: ROOT,
      log,
    });
    results[module.name] = section.results;
    sections.push({ name: module.name, markdown: section.markdown });
    Object.assign(files, section.files);
    log(`— ${module.name} done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  }

  const label = typeof values.label === 'string' ? values.label : undefined;
  const resultsPath = join(ROOT, 'bench', 'results', `${label ?? 'latest'}.json`);
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ machine, quick: values.quick === true, modules: results }, null, 2)}\n`,
  );
  log(`results: ${resultsPath}`);
  if (label !== undefined) return;

  let document = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : '# Benchmarks\n';
  document = placeSection(document, 'machine', machineLine(machine));
  for (const section of sections) document = placeSection(document, section.name, section.markdown);
  writeFileSync(DOC_PATH, document);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(ROOT, path), content);
  log(`updated ${DOC_PATH}${Object.keys(files).length > 0 ? ` and ${Object.keys(files).join(', ')}` : ''}`);
}

main().then(
  // Keep-alive sockets and timers must not keep a finished run alive.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
