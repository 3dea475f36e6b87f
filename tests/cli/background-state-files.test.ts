/**
 * The background relay's PID file: a garbled or dead one is removed as stale,
 * and a stale file is removed only while it is still the one that was read,
 * so one start never removes the record another has just claimed. (Two
 * starts at the same moment are in background.test.ts.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type BackgroundFiles,
  type BackgroundRecord,
  claimRecord,
  removeRecordIfUnchanged,
  runningRelay,
} from '../../src/cli/background/state-files.js';

const directories: string[] = [];

/** A process id no process can have: above the largest Linux allows (2^22) and macOS's (99,999). */
const DEAD_PID = 2 ** 22 + 12_345;

function record(pid: number, startedAt: string): BackgroundRecord {
  return { pid, url: '', log: '/tmp/relay.log', args: [], stopAfterMs: 1000, startedAt };
}

function files(): BackgroundFiles {
  const directory = mkdtempSync(join(tmpdir(), 'relay-state-'));
  directories.push(directory);
  return { directory, pidFile: join(directory, 'relay.pid'), logFile: join(directory, 'relay.log') };
}

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

describe('runningRelay', () => {
  it('removes a garbled PID file as stale', () => {
    const state = files();
    writeFileSync(state.pidFile, '{"pid": "not a number"');
    expect(runningRelay(state)).toBeUndefined();
    expect(existsSync(state.pidFile)).toBe(false);
  });

  it('removes a record whose process is gone, and says so', () => {
    const state = files();
    const stale = record(DEAD_PID, '2026-01-01T00:00:00.000Z');
    writeFileSync(state.pidFile, `${JSON.stringify(stale)}\n`);
    const heard: BackgroundRecord[] = [];
    expect(runningRelay(state, (gone) => heard.push(gone))).toBeUndefined();
    expect(existsSync(state.pidFile)).toBe(false);
    expect(heard).toEqual([stale]);
  });
});

describe('removeRecordIfUnchanged', () => {
  it('removes the file while it holds what was read', () => {
    const state = files();
    const text = `${JSON.stringify(record(DEAD_PID, '2026-01-01T00:00:00.000Z'))}\n`;
    writeFileSync(state.pidFile, text);
    expect(removeRecordIfUnchanged(state, text)).toBe(true);
    expect(existsSync(state.pidFile)).toBe(false);
    expect(readdirSync(state.directory)).toEqual([]);
  });

  it('leaves the record another start claimed after the stale one was read', () => {
    const state = files();
    const staleText = `${JSON.stringify(record(DEAD_PID, '2026-01-01T00:00:00.000Z'))}\n`;
    writeFileSync(state.pidFile, staleText);
    // The other start: it saw the same stale file, removed it and claimed the place.
    rmSync(state.pidFile);
    const fresh = record(process.pid, '2026-01-01T00:00:01.000Z');
    expect(claimRecord(state, fresh)).toBe(true);
    expect(removeRecordIfUnchanged(state, staleText)).toBe(false);
    expect(JSON.parse(readFileSync(state.pidFile, 'utf8'))).toEqual(fresh);
    expect(readdirSync(state.directory)).toEqual(['relay.pid']);
  });

  it('says the stale file is gone when someone removed it first', () => {
    const state = files();
    expect(removeRecordIfUnchanged(state, 'anything')).toBe(true);
  });
});
