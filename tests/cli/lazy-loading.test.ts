/**
 * The quick commands load only what they need: `--version` and `status`
 * not even the command line, and none of them the server stack (Hono, the
 * session store, SQLite, pino, metrics). Which modules load is read from a
 * module resolution hook in the child process; how fast they are is measured
 * by `npm run bench:cli`, not asserted here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../support/cli.js';

const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), 'relay-lazy-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const HOOK =
  'export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); process._rawDebug("LOADED " + resolved.url); return resolved; }';
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/** Every module URL the command resolved. */
async function loadedModules(args: string[]): Promise<string[]> {
  const result = await run(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI_PATH, ...args],
    {
      env: { PATH: process.env.PATH, HOME: state, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state },
    },
  ).catch((error: { stdout: string; stderr: string }) => error);
  const modules = [...result.stderr.matchAll(/^LOADED (\S+)$/gm)].map((match) => match[1]!);
  expect(modules.length, result.stderr).toBeGreaterThan(0);
  return modules;
}

const SERVER_STACK =
  /node_modules\/(hono|@hono|better-sqlite3|pino|prom-client)\/|\/dist\/(server\/(?!defaults\.js)|store\/)/;

describe('quick commands', () => {
  it('--version and status load neither the command line nor the server', async () => {
    for (const args of [['--version'], ['status']]) {
      const modules = await loadedModules(args);
      expect(
        modules.filter((url) => url.includes('/node_modules/')),
        args.join(' '),
      ).toEqual([]);
      expect(
        modules.some((url) => url.endsWith('/dist/cli/main.js')),
        args.join(' '),
      ).toBe(false);
    }
  });

  it('--help, print-config and stop do not load the server stack', async () => {
    for (const args of [
      ['--help'],
      ['print-config', '--upstream', 'http://127.0.0.1:9/v1', '--model', 'some-model', '--port', '4545'],
      ['stop'],
    ]) {
      const modules = await loadedModules(args);
      expect(
        modules.some((url) => url.endsWith('/dist/cli/main.js')),
        args.join(' '),
      ).toBe(true);
      expect(
        modules.filter((url) => SERVER_STACK.test(url)),
        args.join(' '),
      ).toEqual([]);
    }
  });
});
