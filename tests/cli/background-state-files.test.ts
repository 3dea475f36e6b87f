/**
 * The background relay's PID file: a garbled one is removed as stale. (Two
 * starts at the same moment are in background.test.ts.)
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BackgroundFiles, runningRelay } from '../../src/cli/background/state-files.js';

const directories: string[] = [];

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
});
