/**
 * The package as users get it: `npm pack` of the built project, installed
 * globally into a temporary prefix, then `--version`, `--print-config` and one
 * real turn against a mock upstream through the installed `responses-relay`.
 *
 * Dependencies come from npm's cache (or the registry). Install scripts are
 * skipped: better-sqlite3's would compile SQLite for minutes; its native
 * module is taken from this project's node_modules instead (same version,
 * same Node), which is what its install script would have produced.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 240_000;

let root: string;
let installed: string;
let packedFiles: string[];
let upstream: MockUpstream;
const version = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'relay-pack-'));
  // dist/ is built by `npm test` before the suite runs; skipping scripts keeps `prepare` from building it again.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
    cwd: PROJECT_ROOT,
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  packedFiles = packed!.files.map((file) => file.path);
  const prefix = join(root, 'prefix');
  await run(
    'npm',
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(root, packed!.filename),
    ],
    {
      cwd: root,
      timeout: INSTALL_TIMEOUT_MS,
    },
  );
  installed = join(prefix, 'bin', 'responses-relay');
  const sqlite = join(prefix, 'lib', 'node_modules', 'responses-relay', 'node_modules', 'better-sqlite3');
  expect(JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')).version).toBe(
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version,
  );
  mkdirSync(join(sqlite, 'build', 'Release'), { recursive: true });
  copyFileSync(
    join(PROJECT_ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    join(sqlite, 'build', 'Release', 'better_sqlite3.node'),
  );
  upstream = await startMockUpstream(
    () => ({
      kind: 'sse',
      chunks: [...textChunks('Hello from the installed relay.'), finishChunk('stop'), usageChunk(12, 6)],
    }),
    [{ id: 'mock-model', object: 'model' }],
  );
}, INSTALL_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await upstream?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A clean environment: no config file, state and config in the temporary directory. */
function environment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: root,
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_STATE_HOME: join(root, 'state'),
  };
}

describe('the npm package', () => {
  it('holds the built code and the docs users read, no sources, tests or fixtures', () => {
    expect(packedFiles).toContain('dist/cli/bin.js');
    expect(packedFiles).toContain('package.json');
    expect(packedFiles).toContain('README.md');
    expect(packedFiles).toContain('LICENSE');
    expect(
      packedFiles.filter((path) => !/^(dist\/|README\.md$|CHANGELOG\.md$|package\.json$|LICENSE)/.test(path)),
    ).toEqual([]);
    // Source maps point at sources the package does not hold.
    expect(packedFiles.filter((path) => path.endsWith('.map'))).toEqual([]);
  });

  it('carries its JavaScript dependencies bundled, with their licenses: only better-sqlite3 is installed with it', () => {
    expect(packedFiles).toContain('dist/THIRD-PARTY-LICENSES.md');
    const installedModules = join(root, 'prefix', 'lib', 'node_modules', 'responses-relay', 'node_modules');
    expect(existsSync(join(installedModules, 'better-sqlite3'))).toBe(true);
    for (const bundled of [
      'hono',
      '@hono/node-server',
      'undici',
      'zod',
      'yargs',
      'pino',
      'prom-client',
      'ioredis',
      'ws',
    ])
      expect(existsSync(join(installedModules, bundled)), bundled).toBe(false);
    const licenses = readFileSync(join(installedModules, '..', 'dist', 'THIRD-PARTY-LICENSES.md'), 'utf8');
    for (const bundled of ['hono', 'undici', 'zod', 'yargs', 'pino', 'ioredis'])
      expect(licenses).toMatch(new RegExp(`^## ${bundled} \\d`, 'm'));
  });

  it('carries the tokenizer bundled: gpt-tokenizer is not installed with it', () => {
    expect(packedFiles).toContain('dist/tokens/o200k-base.js');
    expect(
      existsSync(join(root, 'prefix', 'lib', 'node_modules', 'responses-relay', 'node_modules', 'gpt-tokenizer')),
    ).toBe(false);
  });

  it('installs globally and answers --version and --print-config', async () => {
    const versionRun = await run(installed, ['--version'], { env: environment() });
    expect(versionRun.stdout.trim()).toBe(version);
    const printed = await run(
      installed,
      ['--print-config', '--upstream', upstream.baseUrl, '--model', 'mock-model', '--port', '4545'],
      { env: environment() },
    );
    expect(printed.stdout).toContain('base_url = "http://127.0.0.1:4545/v1"');
    expect(printed.stdout).toContain('model = "mock-model"');
  });

  it('serves a real turn against the mock upstream (SQLite store included) and counts input tokens', async () => {
    const relay = spawn(installed, ['--upstream', upstream.baseUrl, '--port', '0'], {
      env: environment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    relay.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        relay.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        relay.on('exit', (code) => reject(new Error(`the installed relay exited with ${code}: ${stderr}`)));
      });
      const response = await fetch(`${url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-model', input: 'Say hello.', stream: false }),
      });
      const body = (await response.json()) as { status: string; output: Array<{ content?: Array<{ text?: string }> }> };
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.status).toBe('completed');
      expect(body.output.at(-1)?.content?.[0]?.text).toBe('Hello from the installed relay.');
      expect(readFileSync(join(root, 'state', 'responses-relay', 'sessions.db')).length).toBeGreaterThan(0);
      // The bundled o200k_base encoder counts: "Hello, world!" is 4 tokens, framed as a user message 10.
      const counted = await fetch(`${url}/v1/responses/input_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-model', input: 'Hello, world!' }),
      });
      expect(await counted.json()).toEqual({ object: 'response.input_tokens', input_tokens: 10 });
    } finally {
      relay.kill('SIGKILL');
    }
  });
});
