/**
 * How long the quick commands take from spawn to exit, against a bare
 * `node -e ''` (the floor no Node program can beat). Runs are interleaved so
 * machine noise hits every command alike; wall time is the median and p90 of
 * the runs, CPU the mean (user + system, read from the children's totals in
 * /proc/self/stat, so Linux only).
 *
 *   npm run bench:cli                  20 runs of each
 *   npm run bench:cli -- --runs 50
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Command {
  label: string;
  args: string[];
}

/** Clock ticks of CPU used by the children this process has waited for (user + system). */
function childrenCpuTicks(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After the command name: field 16 (cutime) and 17 (cstime) are at indexes 13 and 14.
  return Number(fields[13]) + Number(fields[14]);
}

const TICKS_PER_SECOND = 100;

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
  const runs = Number(values.runs);
  const root = resolve(process.cwd());
  const bin = join(root, 'dist', 'cli', 'bin.js');
  const state = mkdtempSync(join(tmpdir(), 'relay-cli-bench-'));
  const commands: Command[] = [
    { label: "node -e ''", args: ['-e', ''] },
    { label: 'responses-relay --version', args: [bin, '--version'] },
    { label: 'responses-relay status', args: [bin, 'status'] },
    { label: 'responses-relay --help', args: [bin, '--help'] },
  ];
  const wall = new Map<string, number[]>(commands.map((command) => [command.label, []]));
  const cpu = new Map<string, number>(commands.map((command) => [command.label, 0]));
  const environment = { PATH: process.env.PATH, HOME: state, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state };
  try {
    for (let run = 0; run < runs + 1; run++) {
      for (const command of commands) {
        const ticks = childrenCpuTicks();
        const started = process.hrtime.bigint();
        const result = spawnSync(process.execPath, command.args, { env: environment, stdio: 'ignore' });
        const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.error) throw result.error;
        // The first round warms the file cache and is not counted.
        if (run === 0) continue;
        wall.get(command.label)!.push(elapsedMs);
        cpu.set(command.label, cpu.get(command.label)! + childrenCpuTicks() - ticks);
      }
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
  const floor = [...wall.get(commands[0]!.label)!].sort((a, b) => a - b);
  const floorMedian = percentile(floor, 0.5);
  process.stdout.write(
    `${runs} runs each, Node ${process.version}\n\n| command | wall p50 | wall p90 | × node -e (p50) | CPU, mean |\n|---|---|---|---|---|\n`,
  );
  for (const command of commands) {
    const sorted = [...wall.get(command.label)!].sort((a, b) => a - b);
    const cpuMs = (cpu.get(command.label)! / runs / TICKS_PER_SECOND) * 1000;
    const median = percentile(sorted, 0.5);
    process.stdout.write(
      `| \`${command.label}\` | ${median.toFixed(0)} ms | ${percentile(sorted, 0.9).toFixed(0)} ms | ${(median / floorMedian).toFixed(2)} | ${cpuMs.toFixed(0)} ms |\n`,
    );
  }
}

main();
