/** A description of the machine and software a benchmark ran on. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, type as osType, release, totalmem } from 'node:os';
import { measureReferenceCpuMs } from './reference.js';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  v8: string;
  /** 1-minute load average when the run started (other work on the machine). */
  loadAverageAtStart: number;
  commit: string;
  dirty: boolean;
  date: string;
  /** CPU ms of a fixed workload at the start (lower: a faster machine at the time). */
  referenceCpuMs: number;
}

/** Reads the machine description and the git commit being measured. */
export function describeMachine(root: string): MachineInfo {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    date: new Date().toISOString(),
    referenceCpuMs: Math.round(measureReferenceCpuMs()),
  };
}
