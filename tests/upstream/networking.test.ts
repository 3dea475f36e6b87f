/**
 * Upstream networking as offices have it, over real sockets: a forward proxy
 * (CONNECT tunnels, credentials) chosen by --upstream-proxy or HTTPS_PROXY,
 * NO_PROXY exemptions, and an HTTPS upstream signed by a private CA that is
 * refused clearly without --upstream-ca and trusted with it. The router is
 * built from flags and an environment the way `serve` builds it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor-command.js';
import type { ServeOptions } from '../../src/cli/serve-command.js';
import { buildRouter, type RoutingFlags } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { type RelayServerOptions, type RunningRelay, startRelayServer } from '../../src/server/start-server.js';
import { runCli, startCli } from '../support/cli.js';
import { type ForwardProxy, startForwardProxy } from '../support/forward-proxy.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { createTestCertificates, type TestCertificates } from '../support/test-certificates.js';

const KEY = 'sk-network-test-key-0001';
const PROXY_USER = { user: 'office', password: 'proxy-secret-9871' };

let certificates: TestCertificates;
let plain: MockUpstream;
let secure: MockUpstream;
let proxy: ForwardProxy;
let relay: RunningRelay | undefined;

const answer = () => ({ kind: 'sse' as const, chunks: [...textChunks('through ', 'the office'), finishChunk('stop')] });

beforeAll(async () => {
  certificates = createTestCertificates();
  plain = await startMockUpstream(answer);
  secure = await startMockUpstream(answer, [{ id: 'model-a' }], {
    tls: { key: certificates.key, cert: certificates.cert },
  });
  proxy = await startForwardProxy({ credentials: PROXY_USER });
});
afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close(), proxy?.close()]);
  certificates?.remove();
});
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

async function startRelay(
  flags: RoutingFlags,
  environment: NodeJS.ProcessEnv = {},
  server: Partial<RelayServerOptions> = {},
): Promise<RunningRelay> {
  const router = buildRouter({ upstreamKey: KEY, ...flags }, undefined, environment, { requireKeys: true });
  relay = await startRelayServer({
    host: '127.0.0.1',
    port: 0,
    router,
    logger: silentLogger(),
    retryPolicy: { maxRetries: 0 },
    processMetrics: false,
    ...server,
  });
  return relay;
}

function post(stream: boolean): Promise<Response> {
  return fetch(`${relay!.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', input: 'hello', stream }),
  });
}

async function expectServed(): Promise<void> {
  const response = await post(false);
  expect(response.status).toBe(200);
  const body = (await response.json()) as any;
  expect(body.status).toBe('completed');
  expect(body.output[0].content[0].text).toBe('through the office');
}

describe('forward proxy', () => {
  it('sends every upstream request through --upstream-proxy, with its credentials', async () => {
    await startRelay({ upstream: plain.baseUrl, upstreamProxy: proxy.url });
    const targetsBefore = proxy.targets.length;
    const requestsBefore = plain.requests.length;
    await expectServed();
    expect(proxy.targets.slice(targetsBefore)).toEqual([new URL(plain.baseUrl).host]);
    expect(plain.requests.length).toBe(requestsBefore + 1);
    expect(plain.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(proxy.refused).toBe(0);
  });

  it('serves through the proxy from the real binary, with a key pool, and logs neither keys nor the proxy password', async () => {
    const keys = { POOL_KEY_A: 'sk-pool-a-123456789', POOL_KEY_B: 'sk-pool-b-123456789' };
    const serving = await startCli(
      [
        '--port',
        '0',
        '--store',
        'memory',
        '--upstream',
        plain.baseUrl,
        '--upstream-key-env',
        'POOL_KEY_A,POOL_KEY_B',
        '--upstream-proxy',
        proxy.url,
      ],
      keys,
    );
    try {
      const before = proxy.targets.length;
      const response = await fetch(`${serving.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', input: 'hi' }),
      });
      expect(response.status).toBe(200);
      expect(proxy.targets.length).toBe(before + 1);
      const ready = serving
        .stderr()
        .split('\n')
        .filter((line) => line.includes('relay ready'))
        .map((line) => JSON.parse(line) as Record<string, any>)[0]!;
      expect(ready.providers[0]).toMatchObject({
        proxy: expect.stringMatching(/^http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+$/),
        proxyFrom: '--upstream-proxy',
        keys: ['POOL_KEY_A', 'POOL_KEY_B'],
      });
      for (const secret of [PROXY_USER.password, ...Object.values(keys)])
        expect(serving.stderr()).not.toContain(secret);
    } finally {
      await serving.stop();
    }
  });

  it('gives each provider its own way out: one through its proxy, the other direct', async () => {
    const file = parseConfigText(
      `[providers.office]\nbase_url = "${plain.baseUrl}"\nproxy = "${proxy.url}"\n\n[providers.direct]\nbase_url = "${secure.baseUrl}"\nca_file = "${certificates.caFile}"\n`,
      join(certificates.directory, 'two.toml'),
    );
    const router = buildRouter({}, file, {}, { requireKeys: true });
    relay = await startRelayServer({
      host: '127.0.0.1',
      port: 0,
      router,
      logger: silentLogger(),
      retryPolicy: { maxRetries: 0 },
      processMetrics: false,
    });
    const before = proxy.targets.length;
    for (const model of ['office/m', 'direct/m', 'office/m']) {
      const response = await fetch(`${relay.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, input: 'hi' }),
      });
      expect(response.status).toBe(200);
    }
    // Both office requests went through the proxy; the direct provider's did not.
    expect(proxy.targets.slice(before)).toEqual([new URL(plain.baseUrl).host, new URL(plain.baseUrl).host]);
  });

  it('uses HTTPS_PROXY for an https upstream when no proxy is given, and NO_PROXY exempts hosts', async () => {
    await startRelay({ upstream: secure.baseUrl, upstreamCa: certificates.caFile }, { HTTPS_PROXY: proxy.url });
    const before = proxy.targets.length;
    await expectServed();
    expect(proxy.targets.slice(before)).toEqual([new URL(secure.baseUrl).host]);
    await relay!.close();

    await startRelay(
      { upstream: secure.baseUrl, upstreamCa: certificates.caFile },
      { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
    );
    const exemptBefore = proxy.targets.length;
    const served = secure.requests.length;
    await expectServed();
    expect(proxy.targets.length).toBe(exemptBefore);
    expect(secure.requests.length).toBe(served + 1);
  });

  it('reports a proxy that refuses the credentials as a clear error', async () => {
    const wrong = proxy.url.replace(PROXY_USER.password, 'not-the-password');
    await startRelay({ upstream: plain.baseUrl, upstreamProxy: wrong });
    const response = await post(false);
    expect(response.status).toBe(502);
    const body = (await response.json()) as any;
    expect(body.error.message).toMatch(/proxy refused .*HTTP 407.*user name and password/);
    expect(body.error.message).not.toContain('not-the-password');
  });
});

describe('private certificate authority', () => {
  it('fails clearly without --upstream-ca: HTTP error and response.failed name the problem and the option', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // Retries are allowed, but another attempt cannot fix a certificate.
    await startRelay(
      { upstream: secure.baseUrl },
      {},
      { retryPolicy: { maxRetries: 2, baseDelayMs: 1 }, logger: createLogger('info', destination) },
    );
    const before = secure.requests.length;
    const response = await post(false);
    expect(response.status).toBe(502);
    const message = ((await response.json()) as any).error.message as string;
    expect(message).toMatch(
      /certificate of 127\.0\.0\.1:\d+ is signed by a certificate authority this machine does not trust/,
    );
    expect(message).toContain('--upstream-ca');

    const events = await readSse(await post(true));
    const failed = events.at(-1)!;
    expect(failed.type).toBe('response.failed');
    expect(failed.response.error.message).toContain('--upstream-ca');
    // A code Codex stops on, showing the message, rather than retrying in vain.
    expect(failed.response.error.code).toBe('invalid_prompt');
    expect(secure.requests.length).toBe(before);
    const attempts = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === 'upstream attempt failed');
    expect(attempts.map((record) => [record.attempt, record.next])).toEqual([
      [1, 'give-up'],
      [1, 'give-up'],
    ]);
  });

  it('trusts the CA given with --upstream-ca, on top of the system roots', async () => {
    await startRelay({ upstream: secure.baseUrl, upstreamCa: certificates.caFile });
    const events = await readSse(await post(true));
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.at(-1)!.response.output[0].content[0].text).toBe('through the office');
  });

  it('keeps trusting NODE_EXTRA_CA_CERTS when --upstream-ca adds another CA', async () => {
    const other = createTestCertificates();
    try {
      await startRelay(
        { upstream: secure.baseUrl, upstreamCa: other.caFile },
        { NODE_EXTRA_CA_CERTS: certificates.caFile },
      );
      await expectServed();
      await relay!.close();
      // The other CA alone does not vouch for this upstream.
      await startRelay({ upstream: secure.baseUrl, upstreamCa: other.caFile });
      expect((await post(false)).status).toBe(502);
    } finally {
      other.remove();
    }
  });

  it('speaks TLS to an https:// proxy whose certificate the same CA signed', async () => {
    const secureProxy = await startForwardProxy({ tls: { key: certificates.key, cert: certificates.cert } });
    try {
      await startRelay({ upstream: secure.baseUrl, upstreamCa: certificates.caFile, upstreamProxy: secureProxy.url });
      await expectServed();
      expect(secureProxy.targets).toEqual([new URL(secure.baseUrl).host]);
    } finally {
      await relay?.close();
      relay = undefined;
      await secureProxy.close();
    }
  });

  it('reaches the CA-signed upstream through the proxy tunnel', async () => {
    await startRelay({ upstream: secure.baseUrl, upstreamCa: certificates.caFile, upstreamProxy: proxy.url });
    const before = proxy.targets.length;
    await expectServed();
    expect(proxy.targets.length).toBe(before + 1);
  });
});

describe('doctor', () => {
  async function doctor(
    flags: Partial<ServeOptions>,
    environment: NodeJS.ProcessEnv = {},
  ): Promise<{ code: number; text: string }> {
    let text = '';
    const output = new Writable({
      write(chunk, _encoding, callback) {
        text += String(chunk);
        callback();
      },
    });
    const options = {
      host: '127.0.0.1',
      port: 4444,
      logLevel: 'info',
      store: 'memory',
      upstreamKey: KEY,
      ...flags,
    } as ServeOptions;
    const code = await runDoctor(options, {
      buildRouter: () => buildRouter(options, undefined, environment, { requireKeys: true }),
      output,
      timeoutMs: 5_000,
    });
    return { code, text };
  }

  it('takes the proxy and the CA from RESPONSES_RELAY_* variables and the config file, through the real binary', async () => {
    const fromVariables = await runCli(
      ['doctor', '--upstream', secure.baseUrl, '--upstream-key', KEY, '--store', 'memory'],
      {
        RESPONSES_RELAY_UPSTREAM_PROXY: proxy.url,
        RESPONSES_RELAY_UPSTREAM_CA: certificates.caFile,
      },
    );
    expect(fromVariables.stdout).toMatch(
      /^OK +network +generic: through the proxy http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+ \(from --upstream-proxy\), which answers/m,
    );
    expect(fromVariables.stdout).toMatch(
      /^OK +upstream +generic: https:\/\/127\.0\.0\.1:\d+\/v1\/models answered 200/m,
    );
    expect(fromVariables.code).toBe(0);

    const configFile = join(certificates.directory, 'relay.toml');
    writeFileSync(
      configFile,
      `[providers.office]\nbase_url = "${secure.baseUrl}"\napi_key_env = "OFFICE_KEY"\nproxy = "${proxy.url}"\nca_file = "ca.pem"\n`,
    );
    const fromFile = await runCli(['doctor', '--config', configFile, '--store', 'memory'], { OFFICE_KEY: KEY });
    expect(fromFile.stdout).toMatch(
      /^OK +network +office: through the proxy .* \(from providers\.office\.proxy\), which answers; trusting the system roots plus .*ca\.pem$/m,
    );
    expect(fromFile.stdout).toMatch(/^OK +upstream +office: .* answered 200/m);
    expect(fromFile.stdout + fromFile.stderr).not.toContain(PROXY_USER.password);
  });

  it('names the certificate problem and the option that fixes it', async () => {
    const { code, text } = await doctor({ upstream: secure.baseUrl });
    expect(code).toBe(1);
    expect(text).toMatch(/^FAIL +upstream +generic: .*signed by a certificate authority this machine does not trust/m);
    expect(text).toMatch(/^ +fix: .*--upstream-ca FILE/m);
  });

  it('reports the proxy each provider uses, hiding its password, and whether it answers', async () => {
    const { code, text } = await doctor(
      { upstream: secure.baseUrl, upstreamCa: certificates.caFile },
      { HTTPS_PROXY: proxy.url },
    );
    expect(text).toMatch(
      /^OK +network +generic: through the proxy http:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+ \(from HTTPS_PROXY\), which answers; trusting the system roots plus .*ca\.pem$/m,
    );
    expect(text).not.toContain(PROXY_USER.password);
    expect(text).toMatch(/^OK +upstream +generic: .* answered 200/m);
    expect(code).toBe(0);

    const refusing = await doctor({
      upstream: plain.baseUrl,
      upstreamProxy: proxy.url.replace(PROXY_USER.password, 'wrong-password'),
    });
    expect(refusing.code).toBe(1);
    expect(refusing.text).toMatch(/^FAIL +upstream +generic: .*: the proxy refused the tunnel \(HTTP 407\)$/m);
    expect(refusing.text).toMatch(/^ +fix: check the proxy URL and its user name and password$/m);
    expect(refusing.text).not.toContain('wrong-password');

    const closed = await startForwardProxy();
    const deadUrl = closed.url;
    await closed.close();
    const dead = await doctor({ upstream: plain.baseUrl, upstreamProxy: deadUrl });
    expect(dead.code).toBe(1);
    expect(dead.text).toMatch(
      /^FAIL +network +generic: through the proxy http:\/\/127\.0\.0\.1:\d+ \(from --upstream-proxy\), which does not answer \(ECONNREFUSED/m,
    );
  });
});
