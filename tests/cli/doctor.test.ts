/** `responses-relay doctor` through the real binary, against loopback upstreams. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor-command.js';
import { genericProvider } from '../../src/providers/generic.js';
import { findProviderProfile } from '../../src/providers/index.js';
import { ModelRouter } from '../../src/routing/router.js';
import { runCli } from '../support/cli.js';
import { type MockUpstream, startMockUpstream } from '../support/mock-upstream.js';

let upstream: MockUpstream | undefined;
const directories: string[] = [];

afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'relay-doctor-'));
  directories.push(directory);
  return directory;
}

const KEY = 'sk-doctor-test-key-123456';

describe('responses-relay doctor', () => {
  it('passes with exit code 0 when the options, the store and the upstream are fine', async () => {
    upstream = await startMockUpstream(
      () => ({ kind: 'json', status: 200, body: {} }),
      [{ id: 'model-a' }, { id: 'model-b' }],
    );
    const storePath = join(temporaryDirectory(), 'sessions.db');
    const result = await runCli([
      'doctor',
      '--upstream',
      upstream.baseUrl,
      '--upstream-key',
      KEY,
      '--store-path',
      storePath,
    ]);
    expect(result.stdout).toMatch(/^OK +store +sqlite at .*sessions\.db: 0 responses/m);
    expect(result.stdout).toMatch(
      /^OK +upstream +generic: http:\/\/127\.0\.0\.1:\d+\/v1\/models answered 200, key accepted, 2 models listed$/m,
    );
    expect(result.stdout).toMatch(/all checks passed\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(KEY);
  });

  it('explains a refused key and how to fix it, with exit code 1, without printing the key', async () => {
    // The model list answers 401 and echoes the key, as some providers do.
    const denied = await startModelListServer(401, (key) => ({
      error: { message: `Invalid key ${key}`, type: 'authentication_error' },
    }));
    try {
      const result = await runCli(
        ['doctor', '--provider', 'deepseek', '--upstream', denied.baseUrl, '--store', 'memory'],
        { DEEPSEEK_API_KEY: KEY },
      );
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^FAIL +upstream +deepseek: .*answered 401: Invalid key \[redacted\]$/m);
      expect(result.stdout).toContain('fix: the key was refused: check the key in DEEPSEEK_API_KEY');
      expect(result.stdout).toMatch(/1 problem found\n$/);
      expect(result.stdout).not.toContain(KEY);
    } finally {
      await denied.close();
    }
  });

  it('reports an upstream nobody answers, a wrong base URL and a store it cannot open, then exits with 1', async () => {
    upstream = await startMockUpstream(() => ({ kind: 'json', status: 200, body: {} }));
    const deadUrl = upstream.baseUrl;
    await upstream.close();
    upstream = undefined;
    const blocker = join(temporaryDirectory(), 'not-a-directory');
    writeFileSync(blocker, 'a file where the store directory should be');
    const result = await runCli(['doctor', '--upstream', deadUrl, '--store-path', join(blocker, 'sessions.db')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL +upstream +generic: .*nothing is listening at 127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toMatch(/^FAIL +store +cannot open the session store/m);
    expect(result.stdout).toContain('fix: pass --store-path with a file in a writable directory, or --store memory');
    expect(result.stdout).toMatch(/2 problems found\n$/);

    const wrongPath = await startModelListServer(404, () => ({ error: 'no such route' }));
    try {
      const missing = await runCli([
        'doctor',
        '--upstream',
        wrongPath.baseUrl.replace(/\/v1$/, '/api'),
        '--store',
        'memory',
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toMatch(/answered 404/);
      expect(missing.stdout).toContain('fix: check the base URL: it usually ends in /v1');
    } finally {
      await wrongPath.close();
    }
  });

  it('reports bad options as problems instead of stopping', async () => {
    const result = await runCli([
      'doctor',
      '--upstream',
      'not a url',
      '--host',
      '0.0.0.0',
      '--idle-timeout',
      'soon',
      '--store',
      'memory',
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL +options +refusing to listen on 0\.0\.0\.0 without --auth-token/m);
    expect(result.stdout).toMatch(/^FAIL +upstream +--upstream 'not a url' is not a URL/m);
    expect(result.stdout).toMatch(/^OK +store +memory/m);
  });
});

describe('runDoctor', () => {
  it('checks every provider the router holds, however the router was built', async () => {
    upstream = await startMockUpstream(() => ({ kind: 'json', status: 200, body: {} }), [{ id: 'local-model' }]);
    const refusing = await startModelListServer(401, () => ({ error: { message: 'bad key' } }));
    try {
      const router = new ModelRouter(
        [
          { name: 'local', profile: genericProvider, endpoint: { baseUrl: upstream.baseUrl, apiKey: undefined } },
          {
            name: 'cloud',
            profile: findProviderProfile('kimi')!,
            endpoint: { baseUrl: refusing.baseUrl, apiKey: KEY },
          },
        ],
        'local',
        new Map([['fast', { provider: 'cloud', model: 'kimi-k2' }]]),
      );
      let printed = '';
      const output = new Writable({
        write(chunk, _encoding, done) {
          printed += String(chunk);
          done();
        },
      });
      const code = await runDoctor(
        { host: '127.0.0.1', port: 4444, logLevel: 'silent', store: 'memory' },
        { buildRouter: () => router, output },
      );
      expect(code).toBe(1);
      expect(printed).toMatch(/^OK +upstream +local: .* answered 200, 1 models listed$/m);
      expect(printed).toMatch(/^FAIL +upstream +cloud: .* answered 401: bad key$/m);
      expect(printed).toContain('model aliases: fast');
      expect(printed).not.toContain(KEY);
    } finally {
      await refusing.close();
    }
  });
});

/** A server answering every request with `status` and a JSON body (given the key it was sent). */
async function startModelListServer(
  status: number,
  body: (key: string) => unknown,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const key = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body(key)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
