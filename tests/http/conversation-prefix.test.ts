/**
 * A conversation resent over HTTP with its `session-id` is read from the kept
 * prefix: the upstream gets exactly the bytes a request without the header
 * gets, /metrics counts the turns continued and the items reused, and one
 * caller never continues another caller's conversation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';
import { finishChunk, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();

/** A recorded Codex request (three tool turns), cut into the requests of its turns. */
function recordedTurns(): string[] {
  const file = join(PROJECT_ROOT, 'fixtures', 'codex', '0.169.0', 'mcp', 'request-3.json');
  const body = JSON.parse(readFileSync(file, 'utf8')).body as Record<string, unknown> & { input: unknown[] };
  const length = body.input.length;
  return [length - 4, length - 2, length].map((end) => JSON.stringify({ ...body, input: body.input.slice(0, end) }));
}

function counter(metrics: string, name: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(name));
  return line === undefined ? Number.NaN : Number(line.slice(name.length).trim());
}

describe('a conversation resent over HTTP', () => {
  it('sends the upstream the same bytes as a whole read, and counts the turns continued', async () => {
    const upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('ok'), finishChunk('stop')],
    }));
    const relay = await servers.relay(upstream.baseUrl);
    const post = async (body: string, headers: Record<string, string>) => {
      const response = await fetch(`${relay.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-client', ...headers },
        body,
      });
      expect(response.status).toBe(200);
      const events = await readSse(response);
      expect(events.at(-1)!.type).toBe('response.completed');
    };
    const [first, second, third] = recordedTurns() as [string, string, string];
    // The first turn is kept as bytes, the second read whole and kept with its objects.
    await post(first, { 'session-id': 'conversation-a' });
    await post(second, { 'session-id': 'conversation-a' });
    // Another caller with the same session id goes on from nothing of this conversation's: read whole, twice.
    await post(third, { 'session-id': 'conversation-a', authorization: 'Bearer sk-other' });
    await post(third, { 'thread-id': 'conversation-a', authorization: 'Bearer sk-other' });
    await post(third, { 'session-id': 'conversation-a' });
    // The same turns without the header.
    for (const turn of [first, second, third]) await post(turn, {});
    const sent = upstream.requests.map((request) => JSON.stringify(request.body));
    expect(sent.slice(0, 2)).toEqual(sent.slice(5, 7));
    expect(sent.slice(2, 5)).toEqual([sent[7], sent[7], sent[7]]);

    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(counter(metrics, 'responses_relay_conversation_requests_total{read="continued"}')).toBe(1);
    expect(counter(metrics, 'responses_relay_conversation_requests_total{read="whole"}')).toBe(4);
    expect(counter(metrics, 'responses_relay_conversation_reused_items_total')).toBeGreaterThan(0);
    expect(counter(metrics, 'responses_relay_conversation_kept_bytes')).toBeGreaterThan(0);
  });

  it('answers a bad continuation with the error a whole read gives', async () => {
    const upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [...textChunks('ok'), finishChunk('stop')],
    }));
    const relay = await servers.relay(upstream.baseUrl);
    const [beforeFirst, first, second] = recordedTurns() as [string, string, string];
    const end = second.indexOf(',"tools":');
    const invalidItem = `${second.slice(0, end - 1)},{"type":"function_call_output","call_id":5}]${second.slice(end)}`;
    const invalidJson = `${second.slice(0, end - 1)},{"type":}]${second.slice(end)}`;
    for (const broken of [invalidItem, invalidJson]) {
      const answers: unknown[] = [];
      for (const headers of [{ 'session-id': 'conversation-b' }, {}] as Array<Record<string, string>>) {
        const post = (body: string) =>
          fetch(`${relay.url}/v1/responses`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          });
        await (await post(beforeFirst)).text();
        await (await post(first)).text();
        const response = await post(broken);
        answers.push({ status: response.status, body: await response.json() });
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]).toMatchObject({ status: 400 });
    }
  });
});
