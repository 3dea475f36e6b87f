/**
 * The quick commands load only what they need: `--version` and `status`
 * not even the command line, and none of them the server stack (Hono, the
 * session store, SQLite, pino, metrics); `serve` does not load the Redis
 * client unless the store is Redis. Which files load is read from a module
 * resolution hook in the child process, and what each bundled file holds from
 * its source map; how fast they are is measured by `npm run bench:cli`, not
 * asserted here.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_PATH } from '../support/cli.js';

const run = promisify(execFile);
const state = mkdtempSync(join(tmpdir(), 'relay-lazy-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

const HOOK =
  'export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); process._rawDebug("LOADED " + resolved.url); return resolved; }';
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

const ENVIRONMENT = { PATH: process.env.PATH, HOME: state, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state };
const HOOKED = ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI_PATH];

/** The URLs the resolution hook reported. */
function loadedUrls(stderr: string): string[] {
  const urls = [...stderr.matchAll(/^LOADED (\S+)$/gm)].map((match) => match[1]!);
  expect(urls.length, stderr).toBeGreaterThan(0);
  return urls;
}

/**
 * The source modules behind the loaded URLs: a bundled file of dist/ stands
 * for the sources its source map lists, anything else for itself.
 */
function sourceModules(stderr: string): string[] {
  return loadedUrls(stderr).flatMap((url) => {
    if (!url.startsWith('file:')) return [url];
    const file = fileURLToPath(url);
    if (!existsSync(`${file}.map`)) return [file];
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    return map.sources.map((source) => resolve(dirname(file), source));
  });
}

/** Every source module the command loaded. */
async function loadedModules(args: string[]): Promise<string[]> {
  const result = await run(process.execPath, [...HOOKED, ...args], { env: ENVIRONMENT }).catch(
    (error: { stdout: string; stderr: string }) => error,
  );
  return sourceModules(result.stderr);
}

/** What `serve` loaded by the time it listens: the files, and the source modules they hold. */
async function loadedByServe(args: string[]): Promise<{ urls: string[]; modules: string[] }> {
  const relay = spawn(process.execPath, [...HOOKED, ...args], { env: ENVIRONMENT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  relay.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    await new Promise<void>((resolveListening, reject) => {
      let stdout = '';
      relay.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('listening on')) resolveListening();
      });
      relay.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
  } finally {
    relay.kill();
  }
  return { urls: loadedUrls(stderr), modules: sourceModules(stderr) };
}

const SERVER_STACK =
  /node_modules\/(hono|@hono|better-sqlite3|pino|prom-client)\/|\/src\/(server\/(?!defaults\.ts)|store\/)/;

describe('quick commands', () => {
  it('--version and status load neither the command line nor the server', async () => {
    for (const args of [['--version'], ['status']]) {
      const modules = await loadedModules(args);
      expect(
        modules.filter((url) => url.includes('/node_modules/')),
        args.join(' '),
      ).toEqual([]);
      expect(
        modules.some((url) => url.endsWith('/src/cli/main.ts')),
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
        modules.some((url) => url.endsWith('/src/cli/main.ts')),
        args.join(' '),
      ).toBe(true);
      expect(
        modules.filter((url) => SERVER_STACK.test(url)),
        args.join(' '),
      ).toEqual([]);
    }
  });
});

describe('serve', () => {
  it('loads the server stack from the bundle, and the Redis client only for a Redis store', async () => {
    const { urls, modules } = await loadedByServe([
      '--port',
      '0',
      '--upstream',
      'http://127.0.0.1:9/v1',
      '--store',
      'sqlite',
    ]);
    // Bundled: the only installed package the relay imports is SQLite's.
    expect(
      urls.filter((url) => url.includes('/node_modules/') && !url.includes('/node_modules/better-sqlite3/')),
    ).toEqual([]);
    expect(modules.filter((path) => SERVER_STACK.test(path)).length).toBeGreaterThan(0);
    expect(modules.some((path) => path.endsWith('/src/server/start-server.ts'))).toBe(true);
    expect(modules.filter((path) => /node_modules\/(ioredis|@ioredis)\//.test(path))).toEqual([]);
  });
});
