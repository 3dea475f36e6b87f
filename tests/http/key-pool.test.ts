/**
 * A provider with several keys (`--upstream-key-env A,B,C`) against a mock
 * upstream that answers per key: a revoked key, a rate-limited key and a
 * good one. Every turn is served; each bad key is tried at most once while
 * it is set aside or resting; when every key rests the client hears a rate
 * limit with the shortest wait. Logs and /metrics name keys by variable.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/cli/doctor-command.js';
import type { ServeOptions } from '../../src/cli/serve-command.js';
import { buildRouter } from '../../src/config/build-router.js';
import { createLogger } from '../../src/log.js';
import { createRedactor } from '../../src/observability/redact.js';
import { type RunningRelay, startRelayServer } from '../../src/server/start-server.js';
import { finishChunk, type MockReply, type MockUpstream, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const environment = {
  KEY_REVOKED: 'sk-revoked-1111111111',
  KEY_LIMITED: 'sk-limited-2222222222',
  KEY_GOOD: 'sk-good-3333333333',
  KEY_SLOW_A: 'sk-slow-a-4444444444',
  KEY_SLOW_B: 'sk-slow-b-5555555555',
};
const secrets = Object.values(environment);

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;
/** Answers by the key the request carries. */
function answerByKey(request: { headers: Record<string, unknown> }): MockReply {
  const key = String(request.headers.authorization).replace(/^Bearer /, '');
  if (key === environment.KEY_REVOKED)
    return {
      kind: 'json',
      status: 401,
      body: {
        error: {
          message: `Incorrect API key provided: ${key}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    };
  if (key === environment.KEY_LIMITED)
    return {
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '30' },
      body: { error: { message: 'Rate limit reached for requests', code: 'rate_limit_exceeded' } },
    };
  if (key === environment.KEY_SLOW_A)
    return {
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '40' },
      body: { error: { message: 'Rate limit reached' } },
    };
  if (key === environment.KEY_SLOW_B)
    return {
      kind: 'json',
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { message: 'Rate limit reached' } },
    };
  return { kind: 'sse', chunks: [...textChunks('served'), finishChunk('stop')] };
}

async function start(keyVariables: string) {
  upstream = await servers.mockUpstream(answerByKey, [], { modelsScript: answerByKey });
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const router = buildRouter({ upstream: upstream.baseUrl, upstreamKeyEnv: keyVariables }, undefined, environment, {
    requireKeys: true,
  });
  const logger = createLogger('info', destination, createRedactor(secrets));
  relay = await startRelayServer({
    host: '127.0.0.1',
    port: 0,
    router,
    logger,
    retryPolicy: { maxRetries: 0 },
    processMetrics: false,
  });
  return { lines };
}

function post(stream: boolean): Promise<Response> {
  return fetch(`${relay!.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', input: 'hi', stream }),
  });
}

function keysUsed(): string[] {
  const names = Object.fromEntries(Object.entries(environment).map(([name, value]) => [value, name]));
  return upstream!.requests.map((request) => names[String(request.headers.authorization).replace(/^Bearer /, '')]!);
}

describe('key pools', () => {
  it('serves every turn while a revoked and a rate-limited key are tried at most once', async () => {
    const { lines } = await start('KEY_REVOKED,KEY_LIMITED,KEY_GOOD');
    for (let turn = 0; turn < 5; turn++) {
      const events = await readSse(await post(true));
      expect(events.at(-1)!.type).toBe('response.completed');
    }
    const response = await post(false);
    expect(response.status).toBe(200);

    const used = keysUsed();
    expect(used.filter((name) => name === 'KEY_REVOKED')).toHaveLength(1);
    expect(used.filter((name) => name === 'KEY_LIMITED')).toHaveLength(1);
    expect(used.filter((name) => name === 'KEY_GOOD')).toHaveLength(6);

    const setAside = lines.filter((line) => line.includes('set aside'));
    expect(setAside).toHaveLength(1);
    expect(JSON.parse(setAside[0]!)).toMatchObject({ level: 40, key: 'KEY_REVOKED', status: 'set_aside' });
    expect(lines.some((line) => line.includes('"key":"KEY_LIMITED"') && line.includes('resting'))).toBe(true);
    for (const secret of secrets) expect(lines.join('\n')).not.toContain(secret);

    const metrics = await (await fetch(`${relay!.url}/metrics`)).text();
    expect(metrics).toContain(
      'responses_relay_upstream_key_requests_total{provider="generic",key="KEY_REVOKED",outcome="refused"} 1',
    );
    expect(metrics).toContain(
      'responses_relay_upstream_key_requests_total{provider="generic",key="KEY_LIMITED",outcome="rate_limited"} 1',
    );
    expect(metrics).toContain(
      'responses_relay_upstream_key_requests_total{provider="generic",key="KEY_GOOD",outcome="served"} 6',
    );
    expect(metrics).toContain(
      'responses_relay_upstream_key_status{provider="generic",key="KEY_REVOKED",status="set_aside"} 1',
    );
    expect(metrics).toContain(
      'responses_relay_upstream_key_status{provider="generic",key="KEY_LIMITED",status="resting"} 1',
    );
    expect(metrics).toContain(
      'responses_relay_upstream_key_status{provider="generic",key="KEY_GOOD",status="healthy"} 1',
    );
    for (const secret of secrets) expect(metrics).not.toContain(secret);
  });

  it('reports a rate limit with the shortest wait once every key rests, without asking the upstream again', async () => {
    await start('KEY_SLOW_A,KEY_SLOW_B,KEY_REVOKED');
    const first = await post(false);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    const body = (await first.json()) as any;
    expect(body.error.code).toBe('rate_limit_exceeded');
    expect(body.error.message).toMatch(
      /every API key of provider 'generic' is rate limited, out of quota or refused\. Please try again in 7s\./,
    );
    expect(keysUsed()).toEqual(['KEY_SLOW_A', 'KEY_SLOW_B', 'KEY_REVOKED']);

    const events = await readSse(await post(true));
    const failed = events.at(-1)!;
    expect(failed.type).toBe('response.failed');
    expect(failed.response.error.code).toBe('rate_limit_exceeded');
    expect(failed.response.error.message).toMatch(/try again in [1-7]s/);
    // Nothing was sent: every key is resting or set aside.
    expect(upstream!.requests).toHaveLength(3);
  });

  it('doctor checks every key of the pool by its variable name', async () => {
    upstream = await servers.mockUpstream(answerByKey, [], {
      modelsScript: (request) => {
        const reply = answerByKey(request);
        return reply.kind === 'sse'
          ? { kind: 'json', status: 200, body: { object: 'list', data: [{ id: 'model-a' }] } }
          : reply;
      },
    });
    let text = '';
    const output = new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    });
    const options = {
      host: '127.0.0.1',
      port: 4444,
      logLevel: 'info',
      store: 'memory',
      upstream: upstream.baseUrl,
      upstreamKeyEnv: 'KEY_GOOD,KEY_REVOKED,KEY_LIMITED',
    } as ServeOptions;
    const code = await runDoctor(options, {
      buildRouter: () => buildRouter(options, undefined, environment, { requireKeys: true }),
      output,
      timeoutMs: 5_000,
    });
    expect(text).toMatch(
      /^OK +upstream +generic \(OpenAI-compatible\) at .*, 3 keys \(KEY_GOOD, KEY_REVOKED, KEY_LIMITED\)$/m,
    );
    expect(text).toMatch(
      /^WARN +keys +generic: 3 keys in rotation: KEY_GOOD accepted, KEY_REVOKED refused \(401\), KEY_LIMITED rate limited right now \(429\)$/m,
    );
    expect(text).toMatch(
      /^ +fix: replace the key in KEY_REVOKED; the relay sets refused keys aside and serves with the others$/m,
    );
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(code).toBe(0);
  });

  it('refuses a key variable that is not set, naming it', () => {
    expect(() =>
      buildRouter(
        { upstream: 'http://127.0.0.1:9/v1', upstreamKeyEnv: 'KEY_GOOD,KEY_MISSING' },
        undefined,
        environment,
        { requireKeys: true },
      ),
    ).toThrow('environment variable KEY_MISSING (named by --upstream-key-env) is not set or empty');
  });
});
