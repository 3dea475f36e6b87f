/**
 * Three relays started from the real command line, sharing one real
 * redis-server: a 30-turn conversation goes to a different relay each turn
 * and carries on when one relay is killed with SIGKILL halfway; a response is
 * read and deleted through different relays; Redis killed mid-run gives clear
 * 503s and not-ready probes while requests that need no store keep working,
 * and once Redis is back the relays serve again without a restart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../../harness/redis-server.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { type ChildRelay, killChildren, runCli, startChildRelay } from './child-relay.js';
import { removeTempDirectories, tempDirectory } from './support.js';

let redis: TestRedis;
let upstream: MockUpstream;
let relays: ChildRelay[];

beforeAll(async () => {
  redis = await startTestRedis();
  // Answers echo the last user text, so every turn's history can be checked.
  upstream = await startMockUpstream((request) => ({
    kind: 'sse',
    chunks: [...textChunks(`re: ${request.body.messages.at(-1)?.content}`), finishChunk('stop')],
  }));
  const args = [
    '--upstream',
    upstream.baseUrl,
    '--store',
    'redis',
    '--store-url',
    redis.url,
    '--store-prefix',
    'relays-test:',
  ];
  relays = await Promise.all([startChildRelay(args), startChildRelay(args), startChildRelay(args)]);
});

afterAll(async () => {
  killChildren();
  await upstream?.close();
  await redis?.stop();
  removeTempDirectories();
});

interface Reply {
  status: number;
  json: any;
  retryAfter: string | null;
}

async function send(relay: ChildRelay, method: string, path: string, body?: Record<string, unknown>): Promise<Reply> {
  const response = await fetch(`${relay.url}${path}`, {
    method,
    ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', ...body }) } : {}),
  });
  const retryAfter = response.headers.get('retry-after');
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const events = await readSse(response);
    expect(events.at(-1)!.type).toBe('response.completed');
    return { status: response.status, json: events.at(-1)!.response, retryAfter };
  }
  return { status: response.status, json: await response.json(), retryAfter };
}

/** Polls /readyz (at most 10 s) until it answers `status`. */
async function readyzBecomes(relay: ChildRelay, status: number): Promise<Reply> {
  let last: Reply | undefined;
  for (let attempt = 0; attempt < 200; attempt++) {
    last = await send(relay, 'GET', '/readyz');
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`/readyz stayed ${last?.status}: ${JSON.stringify(last?.json)}`);
}

describe('three relays sharing one Redis', () => {
  it('continues a 30-turn conversation across relays, one of them killed with SIGKILL halfway', async () => {
    let alive = [0, 1, 2];
    let previous: string | undefined;
    const expected: string[] = [];
    for (let turn = 0; turn < 30; turn++) {
      if (turn === 15) {
        relays[1]!.process.kill('SIGKILL');
        await relays[1]!.exited;
        alive = [0, 2];
      }
      const relay = relays[alive[turn % alive.length]!]!;
      const input = `turn ${turn}`;
      const reply = await send(relay, 'POST', '/v1/responses', {
        input,
        stream: turn % 2 === 0,
        ...(previous ? { previous_response_id: previous } : {}),
      });
      expect(reply.status, JSON.stringify(reply.json)).toBe(200);
      expect(reply.json.previous_response_id ?? undefined).toBe(previous);
      const sent = upstream.requests.at(-1)!.body.messages.map((message: any) => message.content);
      expected.push(input);
      expect(sent).toEqual(expected);
      expected.push(`re: ${input}`);
      previous = reply.json.id;
    }
    expect(expected).toHaveLength(60);
  });

  it('reads and deletes a response through different relays', async () => {
    const [first, , third] = relays as [ChildRelay, ChildRelay, ChildRelay];
    const created = await send(first, 'POST', '/v1/responses', { input: 'written by the first relay' });
    const id = created.json.id;
    const read = await send(third, 'GET', `/v1/responses/${id}`);
    expect(read.status).toBe(200);
    expect(read.json.output[0].content[0].text).toBe('re: written by the first relay');
    const items = await send(third, 'GET', `/v1/responses/${id}/input_items`);
    expect(items.json.data.map((item: any) => item.content[0].text)).toEqual(['written by the first relay']);
    expect((await send(third, 'DELETE', `/v1/responses/${id}`)).json).toEqual({
      id,
      object: 'response',
      deleted: true,
    });
    expect((await send(first, 'GET', `/v1/responses/${id}`)).status).toBe(404);
    const continued = await send(first, 'POST', '/v1/responses', { input: 'again', previous_response_id: id });
    expect(continued.status).toBe(404);
    expect(continued.json.error.code).toBe('previous_response_not_found');
  });

  it('answers 503 while Redis is down, keeps serving requests that need no store, and resumes when it is back', async () => {
    const [first, , third] = relays as [ChildRelay, ChildRelay, ChildRelay];
    const before = await send(first, 'POST', '/v1/responses', { input: 'before the outage' });
    expect(before.status).toBe(200);
    await redis.kill();

    const notReady = await readyzBecomes(third, 503);
    expect(notReady.json.status).toBe('not_ready');
    expect(notReady.json.checks.store).toMatch(/^not usable: Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/);
    const continued = await send(third, 'POST', '/v1/responses', {
      input: 'during',
      previous_response_id: before.json.id,
    });
    expect(continued.status).toBe(503);
    expect(continued.retryAfter).toBe('2');
    expect(continued.json.error).toMatchObject({ type: 'server_error', code: 'store_unavailable' });
    expect(continued.json.error.message).toMatch(/unreachable at the moment; retry shortly/);
    expect((await send(first, 'GET', `/v1/responses/${before.json.id}`)).status).toBe(503);
    // Codex over HTTP sends its whole history with store: false: the store is not needed.
    const stateless = await send(third, 'POST', '/v1/responses', {
      store: false,
      stream: true,
      input: [
        { role: 'user', content: 'before' },
        { role: 'assistant', content: 're: before' },
        { role: 'user', content: 'during the outage' },
      ],
    });
    expect(stateless.status).toBe(200);
    expect(stateless.json.output[0].content[0].text).toBe('re: during the outage');
    // A response that would be stored is still delivered; only its write fails.
    expect((await send(first, 'POST', '/v1/responses', { input: 'unstored' })).status).toBe(200);
    expect(first.process.exitCode).toBeNull();

    await redis.restart();
    await readyzBecomes(first, 200);
    await readyzBecomes(third, 200);
    const resumed = await send(third, 'POST', '/v1/responses', {
      input: 'after',
      previous_response_id: before.json.id,
    });
    expect(resumed.status).toBe(200);
    expect(upstream.requests.at(-1)!.body.messages.map((message: any) => message.content)).toEqual([
      'before the outage',
      're: before the outage',
      'after',
    ]);
    expect(first.stderr()).toMatch(/session store write failed/);
    expect(first.stderr()).toMatch(/is reachable again/);
  });

  it('refuses to start on a missing or wrong --store-url, or on data a newer relay wrote', async () => {
    const base = ['--port', '0', '--upstream', upstream.baseUrl, '--store', 'redis'];
    const missing = await runCli(base);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--store redis needs --store-url redis:\/\/\[user:pass@\]host:port\/db/);
    // The URL from the [serve] table of the config file.
    const config = join(tempDirectory(), 'relay.toml');
    writeFileSync(config, '[serve]\nstore-url = "http://127.0.0.1:1"\n');
    const wrong = await runCli([...base, '--config', config]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--store-url must start with redis:\/\/ or rediss:\/\//);
    redis.cli('SET', 'future:schema', '9');
    // The URL from the environment, the prefix from the command line.
    const newer = await runCli([...base, '--store-prefix', 'future:'], { RESPONSES_RELAY_STORE_URL: redis.url });
    expect(newer.code).toBe(2);
    expect(newer.stderr).toMatch(
      /holds session data written by a newer responses-relay \(layout version 9; this version knows up to 1\)/,
    );
    expect(redis.cli('GET', 'future:schema')).toBe('9');
  });
});
