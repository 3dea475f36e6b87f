/** The command line as users run it: flags, environment variables, exit codes. */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('responses-relay serve', () => {
  it('explains a missing upstream in one line and exits with 2', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no upstream');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains a missing key in one line and exits with 2', async () => {
    const result = await runCli(['--upstream', 'https://api.example.com/v1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no API key');
    const unsetVariable = await runCli([
      '--upstream',
      'https://api.example.com/v1',
      '--upstream-key-env',
      'SOME_UNSET_KEY',
    ]);
    expect(unsetVariable.code).toBe(2);
    expect(unsetVariable.stderr).toContain('SOME_UNSET_KEY');
  });

  it('rejects a malformed --model-map and an unknown flag with exit code 2', async () => {
    const map = await runCli(['--upstream', 'http://127.0.0.1:9/v1', '--model-map', 'nocolon']);
    expect(map.code).toBe(2);
    expect(map.stderr).toContain('invalid --model-map entry');
    const unknown = await runCli(['--upstream', 'http://127.0.0.1:9/v1', '--no-such-flag']);
    expect(unknown.code).toBe(2);
  });

  it('shows examples in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Examples:');
    expect(result.stdout).toContain('--upstream-key-env');
  });

  it('serves on a free port, takes settings from RESPONSES_RELAY_* variables and passes the key upstream', async () => {
    upstream = await startMockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('pong'), finishChunk('stop')] }));
    serving = await startCli(['--port', '0', '--model-map', 'codex-alias:real-model'], {
      RESPONSES_RELAY_UPSTREAM: upstream.baseUrl,
      RESPONSES_RELAY_UPSTREAM_KEY_ENV: 'MY_PROVIDER_KEY',
      MY_PROVIDER_KEY: 'sk-from-env',
      RESPONSES_RELAY_LOG_LEVEL: 'silent',
    });
    expect(serving.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${serving.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'codex-alias', input: 'ping' }),
    });
    expect(response.status).toBe(200);
    expect((await (response.json() as Promise<any>)).output[0].content[0].text).toBe('pong');
    expect(upstream.requests[0]!.headers.authorization).toBe('Bearer sk-from-env');
    expect(upstream.requests[0]!.body.model).toBe('real-model');
    expect(await serving.stop('SIGTERM')).toBe(0);
    serving = undefined;
  });

  it('reports a port in use in one line with exit code 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['--upstream', 'http://127.0.0.1:9/v1', '--port', String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('already in use');
    } finally {
      blocker.close();
    }
  });
});
