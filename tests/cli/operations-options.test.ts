/** The access, limit, timeout and shutdown flags: parsing, defaults, and the loopback rule through the real binary. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackHost, parseOperationsOptions } from '../../src/cli/operations-options.js';
import { CliError } from '../../src/config/cli-error.js';
import { formatDuration, parseDuration } from '../../src/duration.js';
import { DEFAULT_TIMEOUTS } from '../../src/server/defaults.js';
import { runCli, type ServingCli, startCli } from '../support/cli.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';

let upstream: MockUpstream | undefined;
let serving: ServingCli | undefined;

afterEach(async () => {
  await serving?.stop('SIGKILL');
  await upstream?.close();
  serving = undefined;
  upstream = undefined;
});

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return (error as CliError).message;
  }
  throw new Error('expected a CliError');
}

describe('parseOperationsOptions', () => {
  it('fills in the defaults', () => {
    expect(parseOperationsOptions({}, '127.0.0.1')).toEqual({
      authToken: undefined,
      allowOrigins: [],
      allowHosts: [],
      maxBodyBytes: 50 * 1024 * 1024,
      maxConcurrent: 64,
      maxQueue: 256,
      prefixCacheBytes: 8 * 1024 * 1024,
      timeouts: DEFAULT_TIMEOUTS,
      heartbeatMs: 15_000,
      shutdownGraceMs: 25_000,
      logContent: false,
    });
  });

  it('reads human durations and numbers', () => {
    const settings = parseOperationsOptions(
      {
        authToken: 'token-1234567890',
        maxBodyMb: 0.5,
        maxConcurrent: 8,
        maxQueue: 0,
        prefixCacheMb: 0,
        connectTimeout: '3s',
        firstByteTimeout: '2m',
        idleTimeout: '90',
        totalTimeout: '1h30m',
        heartbeat: '5s',
        shutdownGrace: '0',
        logContent: true,
      },
      '0.0.0.0',
    );
    expect(settings).toEqual({
      authToken: 'token-1234567890',
      allowOrigins: [],
      allowHosts: [],
      maxBodyBytes: 512 * 1024,
      maxConcurrent: 8,
      maxQueue: 0,
      prefixCacheBytes: 0,
      timeouts: { connectMs: 3_000, firstByteMs: 120_000, idleMs: 90_000, totalMs: 5_400_000 },
      heartbeatMs: 5_000,
      shutdownGraceMs: 0,
      logContent: true,
    });
  });

  it('names the flag that is wrong', () => {
    expect(problem(() => parseOperationsOptions({ idleTimeout: 'soon' }, 'localhost'))).toContain(
      "--idle-timeout 'soon' is not a duration",
    );
    expect(problem(() => parseOperationsOptions({ heartbeat: '0' }, 'localhost'))).toContain('--heartbeat');
    expect(problem(() => parseOperationsOptions({ maxConcurrent: 0 }, 'localhost'))).toContain('--max-concurrent');
    expect(problem(() => parseOperationsOptions({ maxQueue: 1.5 }, 'localhost'))).toContain('--max-queue');
    expect(problem(() => parseOperationsOptions({ maxBodyMb: -1 }, 'localhost'))).toContain('--max-body-mb');
    expect(problem(() => parseOperationsOptions({ prefixCacheMb: -1 }, 'localhost'))).toContain('--prefix-cache-mb');
    expect(problem(() => parseOperationsOptions({ authToken: 'two words' }, 'localhost'))).toContain('--auth-token');
  });

  it('reads allowed origins and hosts, and refuses what a browser would never send', () => {
    const settings = parseOperationsOptions(
      { allowOrigin: ['http://localhost:3000/', 'https://Dash.Example'], allowHost: ['relay.internal', '*'] },
      'localhost',
    );
    expect(settings.allowOrigins).toEqual(['http://localhost:3000', 'https://dash.example']);
    expect(settings.allowHosts).toEqual(['relay.internal', '*']);
    for (const origin of ['localhost:3000', 'http://localhost:3000/app', 'file:///tmp/x']) {
      expect(problem(() => parseOperationsOptions({ allowOrigin: [origin] }, 'localhost'))).toContain(
        `--allow-origin '${origin}' is not a web origin`,
      );
    }
    for (const host of ['http://relay.internal', 'relay.internal/v1', 'two words']) {
      expect(problem(() => parseOperationsOptions({ allowHost: [host] }, 'localhost'))).toContain(
        `--allow-host '${host}'`,
      );
    }
  });

  it('refuses to listen beyond loopback without a token', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'relay.example.com']) {
      expect(problem(() => parseOperationsOptions({}, host))).toContain(
        `refusing to listen on ${host} without --auth-token`,
      );
      expect(parseOperationsOptions({ authToken: 'token-1234567890' }, host).authToken).toBe('token-1234567890');
    }
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
  });
});

describe('formatDuration', () => {
  it('writes what parseDuration reads back', () => {
    for (const ms of [250, 1_000, 15_000, 90_000, 300_000, 1_800_000, 5_400_000, 90_061_001]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('responses-relay serve, access flags', () => {
  it('refuses 0.0.0.0 without a token in one line with exit code 2', async () => {
    const result = await runCli(['--upstream', 'http://127.0.0.1:9/v1', '--host', '0.0.0.0', '--store', 'memory']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0 without --auth-token');
  });

  it('takes the token from RESPONSES_RELAY_AUTH_TOKEN and asks clients for it', async () => {
    upstream = await startMockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('pong'), finishChunk('stop')] }));
    serving = await startCli(['--port', '0', '--store', 'memory', '--upstream', upstream.baseUrl], {
      RESPONSES_RELAY_AUTH_TOKEN: 'env-token-0123456789',
      RESPONSES_RELAY_LOG_LEVEL: 'silent',
    });
    const body = JSON.stringify({ model: 'm', input: 'ping' });
    const headers = { 'content-type': 'application/json' };
    expect((await fetch(`${serving.url}/v1/responses`, { method: 'POST', headers, body })).status).toBe(401);
    const allowed = await fetch(`${serving.url}/v1/responses`, {
      method: 'POST',
      headers: { ...headers, authorization: 'Bearer env-token-0123456789' },
      body,
    });
    expect(allowed.status).toBe(200);
    expect(upstream.requests).toHaveLength(1);
    expect(await serving.stop('SIGTERM')).toBe(0);
    serving = undefined;
  });

  it('takes allow_origins from the config file and --allow-origin repeated', async () => {
    upstream = await startMockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('pong'), finishChunk('stop')] }));
    const directory = mkdtempSync(join(tmpdir(), 'relay-origins-'));
    const config = join(directory, 'config.toml');
    writeFileSync(config, '[serve]\nallow_origins = ["http://localhost:3000"]\n');
    const post = (url: string, origin: string) =>
      fetch(`${url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ model: 'm', input: 'ping' }),
      });
    serving = await startCli(['--config', config, '--port', '0', '--store', 'memory', '--upstream', upstream.baseUrl], {
      RESPONSES_RELAY_LOG_LEVEL: 'silent',
    });
    expect((await post(serving.url, 'http://localhost:3000')).status).toBe(200);
    expect((await post(serving.url, 'http://localhost:5173')).status).toBe(403);
    await serving.stop('SIGTERM');
    serving = await startCli(
      [
        '--port',
        '0',
        '--store',
        'memory',
        '--upstream',
        upstream.baseUrl,
        '--allow-origin',
        'http://localhost:3000',
        '--allow-origin',
        'http://localhost:5173',
      ],
      { RESPONSES_RELAY_LOG_LEVEL: 'silent' },
    );
    expect((await post(serving.url, 'http://localhost:5173')).status).toBe(200);
    expect((await post(serving.url, 'http://evil.example')).status).toBe(403);
    expect(upstream.requests).toHaveLength(2);
    rmSync(directory, { recursive: true, force: true });
  });
});
