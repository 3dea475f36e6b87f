/**
 * The store through the real command line: a relay killed with SIGKILL in the
 * middle of conversations restarts on the same file and continues every chain,
 * losing at most the turn in flight, with the file intact; start-up problems
 * are one line naming the path and exit code 2.
 */
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { type ChildRelay, killChildren, runCli, startChildRelay } from './child-relay.js';
import { removeTempDirectories, tempDirectory } from './support.js';

let upstream: MockUpstream | undefined;
afterEach(async () => {
  killChildren();
  await upstream?.close();
  upstream = undefined;
});
afterAll(removeTempDirectories);

/** Answers echo the last user text; `slow` streams for as long as the test needs. */
async function echoUpstream(): Promise<MockUpstream> {
  return startMockUpstream((request) => {
    const last = request.body.messages.at(-1)?.content;
    if (last === 'slow')
      return {
        kind: 'sse',
        delayMs: 200,
        chunks: [...textChunks(...Array.from({ length: 100 }, () => 'tick ')), finishChunk('stop')],
      };
    return { kind: 'sse', chunks: [...textChunks(`re: ${last}`), finishChunk('stop')] };
  });
}

function integrity(path: string): string {
  // Check a copy (with its WAL) so the original is left exactly as the crash left it.
  const copy = join(tempDirectory(), 'copy.db');
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) copyFileSync(path + suffix, copy + suffix);
  const db = new Database(copy);
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

function clientFor(relay: ChildRelay): OpenAI {
  return new OpenAI({ apiKey: 'sk-client', baseURL: `${relay.url}/v1`, maxRetries: 0 });
}

describe('session store through the CLI', () => {
  it('survives SIGKILL mid-conversation: every chain continues after a restart on the same file', async () => {
    upstream = await echoUpstream();
    const path = join(tempDirectory(), 'state', 'sessions.db');
    const args = ['--upstream', upstream.baseUrl, '--store', 'sqlite', '--store-path', path];
    const relay = await startChildRelay(args);
    const client = clientFor(relay);

    // Three conversations of three turns each.
    const last: string[] = [];
    for (let chain = 0; chain < 3; chain++) {
      let previous: string | undefined;
      for (let turn = 0; turn < 3; turn++) {
        const input = `chain ${chain} turn ${turn}`;
        const response: OpenAI.Responses.Response =
          turn === 1
            ? await client.responses
                .stream({ model: 'm', input, ...(previous ? { previous_response_id: previous } : {}) })
                .finalResponse()
            : await client.responses.create({
                model: 'm',
                input,
                ...(previous ? { previous_response_id: previous } : {}),
              });
        previous = response.id;
      }
      last.push(previous!);
    }

    // A turn in flight on chain 0 and a burst of writes on chains 1 and 2 when the process dies.
    const inFlight = await fetch(`${relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'slow', previous_response_id: last[0], stream: true }),
    });
    const reader = inFlight.body!.getReader();
    const firstBytes = new TextDecoder().decode((await reader.read()).value);
    const inFlightId = JSON.parse(/data: (.*)/.exec(firstBytes)![1]!).response.id as string;
    const completed: string[] = [];
    const burst = Array.from({ length: 20 }, (_, index) =>
      client.responses
        .create({ model: 'm', input: `burst ${index}`, previous_response_id: last[1 + (index % 2)]! })
        .then((response) => {
          completed.push(response.id);
          if (completed.length === 10) relay.process.kill('SIGKILL');
        })
        .catch(() => undefined),
    );
    await Promise.all(burst);
    await reader.cancel().catch(() => undefined);
    expect(await relay.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(completed.length).toBeGreaterThanOrEqual(10);
    expect(integrity(path)).toBe('ok');

    const restarted = await startChildRelay(args);
    const again = clientFor(restarted);
    for (let chain = 0; chain < 3; chain++) {
      const next = await again.responses.create({
        model: 'm',
        input: `chain ${chain} after restart`,
        previous_response_id: last[chain]!,
      });
      expect(next.output_text).toBe(`re: chain ${chain} after restart`);
      const sent = upstream.requests
        .at(-1)!
        .body.messages.filter((message: any) => message.role === 'user')
        .map((message: any) => message.content);
      expect(sent).toEqual(
        [0, 1, 2].map((turn) => `chain ${chain} turn ${turn}`).concat(`chain ${chain} after restart`),
      );
    }
    // Every response a client saw complete was on disk before the client saw it.
    for (const id of completed) expect((await fetch(`${restarted.url}/v1/responses/${id}`)).status).toBe(200);
    // The turn in flight is the only thing lost.
    expect((await fetch(`${restarted.url}/v1/responses/${inFlightId}`)).status).toBe(404);

    restarted.process.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(`${path}-wal`)).toBe(false); // closed cleanly: the WAL was checkpointed away
    expect(integrity(path)).toBe('ok');
  });

  it('creates the default file under XDG_STATE_HOME with mode 0600, and reads RESPONSES_RELAY_* variables', async () => {
    upstream = await echoUpstream();
    const stateHome = tempDirectory();
    const relay = await startChildRelay(['--upstream', upstream.baseUrl], {
      XDG_STATE_HOME: stateHome,
      RESPONSES_RELAY_STORE_TTL: '12h',
    });
    const client = clientFor(relay);
    const first = await client.responses.create({ model: 'm', input: 'hello' });
    const second = await client.responses.create({ model: 'm', input: 'again', previous_response_id: first.id });
    expect(second.output_text).toBe('re: again');
    const path = join(stateHome, 'responses-relay', 'sessions.db');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    relay.process.kill('SIGTERM');
    expect((await relay.exited).code).toBe(0);

    const memory = await startChildRelay(['--upstream', upstream.baseUrl], {
      RESPONSES_RELAY_STORE: 'memory',
      XDG_STATE_HOME: join(stateHome, 'unused'),
    });
    const stream = await fetch(`${memory.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 'in memory', stream: true }),
    });
    const events = await readSse(stream);
    const continued = await clientFor(memory).responses.create({
      model: 'm',
      input: 'next',
      previous_response_id: events.at(-1)!.response.id,
    });
    expect(continued.status).toBe('completed');
    expect(existsSync(join(stateHome, 'unused'))).toBe(false);
  });

  it('stops at start-up with one line naming the path and exit code 2', async () => {
    const directory = tempDirectory();
    const newer = join(directory, 'newer.db');
    const db = new Database(newer);
    db.exec(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)',
    );
    db.prepare('INSERT INTO schema_migrations VALUES (99, ?, 0)').run('future');
    db.close();
    const upstreamArgs = ['--upstream', 'http://127.0.0.1:9/v1', '--port', '0'];
    const cases: Array<[string[], NodeJS.ProcessEnv, RegExp]> = [
      [
        ['--store-path', '/proc/no-such-dir/sessions.db'],
        {},
        /^responses-relay: cannot open the session store at \/proc\/no-such-dir\/sessions\.db: cannot create the directory/,
      ],
      [
        ['--store-path', directory],
        {},
        new RegExp(`^responses-relay: cannot open the session store at ${directory}: `),
      ],
      [
        ['--store-path', newer],
        {},
        /written by a newer responses-relay \(schema version 99; this version knows up to 2\)/,
      ],
      [[], { RESPONSES_RELAY_STORE_TTL: 'forever' }, /^responses-relay: --store-ttl 'forever' is not a duration/],
      [['--store-max-mb', '0'], {}, /^responses-relay: --store-max-mb must be a positive number/],
      [['--store', 'postgres'], {}, /Invalid values:/],
    ];
    for (const [args, environment, message] of cases) {
      const result = await runCli([...upstreamArgs, ...args], {
        XDG_STATE_HOME: join(directory, 'state'),
        ...environment,
      });
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      if (!args.includes('--store')) expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });
});
