/**
 * The files of the relay running in the background: `relay.pid` (a JSON
 * record: process id, URL, log file, the serve arguments it was started with)
 * and `relay.log`, both under `$XDG_STATE_HOME/responses-relay/`. Only Node
 * built-ins: `status` and `stop` never load the server.
 */
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { relayStateDirectory } from '../../paths.js';

export interface BackgroundRecord {
  pid: number;
  /** Where it listens; empty until it is ready. */
  url: string;
  log: string;
  /** The `serve` arguments, reused by `restart` without arguments. */
  args: string[];
  /** How long `stop` waits after SIGTERM before SIGKILL. */
  stopAfterMs: number;
  startedAt: string;
}

export interface BackgroundFiles {
  directory: string;
  pidFile: string;
  logFile: string;
}

export function backgroundFiles(environment: NodeJS.ProcessEnv): BackgroundFiles {
  const directory = relayStateDirectory(environment);
  return { directory, pidFile: join(directory, 'relay.pid'), logFile: join(directory, 'relay.log') };
}

/** The PID file's text and record; `absent` when there is none, `record` undefined when it holds no record. */
function readRecord(
  files: BackgroundFiles,
): { text: string | undefined; record: BackgroundRecord | undefined } | 'absent' {
  let text: string;
  try {
    text = readFileSync(files.pidFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    return { text: undefined, record: undefined };
  }
  try {
    const record = JSON.parse(text) as BackgroundRecord;
    return { text, record: Number.isInteger(record.pid) && record.pid > 0 ? record : undefined };
  } catch {
    return { text, record: undefined };
  }
}

/**
 * Creates the PID file only if there is none: of two `start`s at the same
 * moment exactly one wins. The record is written beside it and linked into
 * place, so nobody ever reads a half-written file. Returns false when the
 * file exists.
 */
export function claimRecord(files: BackgroundFiles, record: BackgroundRecord): boolean {
  mkdirSync(files.directory, { recursive: true, mode: 0o700 });
  const written = writeBeside(files, record);
  try {
    linkSync(written, files.pidFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(written, { force: true });
  }
}

/** Replaces the record in one step (rename). */
export function replaceRecord(files: BackgroundFiles, record: BackgroundRecord): void {
  renameSync(writeBeside(files, record), files.pidFile);
}

/** Private: the arguments may hold an upstream key. */
function writeBeside(files: BackgroundFiles, record: BackgroundRecord): string {
  const path = `${files.pidFile}.${process.pid}.tmp`;
  writeFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return path;
}

export function removeRecord(files: BackgroundFiles): void {
  rmSync(files.pidFile, { force: true });
}

/** True while a process with this id exists (and may be signalled by us). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The running relay, or undefined. A PID file whose process is gone, or whose
 * id now belongs to another program (Linux: its command line does not name
 * the relay), or that holds no record, is stale and removed; `onStale` hears
 * about a record removed so.
 */
export function runningRelay(
  files: BackgroundFiles,
  onStale?: (record: BackgroundRecord) => void,
): BackgroundRecord | undefined {
  // A file that changes while it is looked at (another `start` removed the stale one and claimed its place) is
  // looked at again; the loop is bounded, each round needing another claim in between.
  for (let round = 0; round < 5; round++) {
    const read = readRecord(files);
    if (read === 'absent') return undefined;
    const { text, record } = read;
    if (record && isAlive(record.pid) && !belongsToAnotherProgram(record.pid)) return record;
    if (text === undefined || removeRecordIfUnchanged(files, text)) {
      if (record) onStale?.(record);
      if (text === undefined) removeRecord(files);
      return undefined;
    }
  }
  return undefined;
}

/**
 * Removes the PID file if it still holds `text`; returns false, leaving it in
 * place, when it now holds something else. Two `start`s can find the same
 * stale file: the first removes it and claims the place, and the second must
 * not then remove the first's claim (both would start a relay). The file is
 * moved aside in one step (rename), so what is looked at is what was taken,
 * and put back when it is not the stale one.
 */
export function removeRecordIfUnchanged(files: BackgroundFiles, text: string): boolean {
  const aside = `${files.pidFile}.${process.pid}.stale`;
  try {
    renameSync(files.pidFile, aside);
  } catch (error) {
    // Gone already: whoever removed it removed the stale record too.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  let taken: string | undefined;
  try {
    taken = readFileSync(aside, 'utf8');
  } catch {
    taken = undefined;
  }
  if (taken === text) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, files.pidFile);
  } catch (error) {
    // A third `start` claimed the place meanwhile: its record stands.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(aside, { force: true });
  }
  return false;
}

function belongsToAnotherProgram(pid: number): boolean {
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false; // no /proc (macOS): the process id is all there is
  }
  // Empty while a process is being started (between fork and exec) or already exited: not proof of another program.
  if (commandLine === '') return false;
  return (
    !commandLine.includes('responses-relay') &&
    !commandLine.includes('/cli/bin.js') &&
    !commandLine.includes('/cli/main.js')
  );
}

/** The last lines of the log, for error messages and `logs`. */
export function lastLogLines(logFile: string, count: number, fromOffset = 0): string {
  let text: string;
  try {
    text = readFileSync(logFile).subarray(fromOffset).toString('utf8');
  } catch {
    return '';
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count).join('\n');
}
