/**
 * The failure table (docs/operations.md), proven with the real Codex: for
 * each kind of upstream failure, what the user gets. Passing trouble
 * (overload, a 5xx or a reset mid-stream, an idle upstream, a rate limit) is
 * retried by Codex and the turn completes; permanent trouble (no balance, a
 * refused key) stops Codex at once with a message that says what to do; a
 * content filter is retried by Codex and then named; a slow first byte is
 * bridged by heartbeats. The error-chunk, 429 with
 * Retry-After and context-length rows are in resilience.ts.
 */
import { expect } from 'vitest';
import { deltaChunk, finishChunk, type MockReply, sleep, textChunks, usageChunk } from '../../support/mock-upstream.js';
import { chatAnswer } from '../../support/scripted-upstream.js';
import type { E2EScenario } from '../harness.js';
import { lastUserText, messages, textOf } from './chat-reading.js';

/** The first attempt fails with `failure`; Codex's retry gets a normal answer. */
function failOnceThenAnswer(failure: MockReply, text: string): E2EScenario['script'] {
  return (_request, index) => (index === 0 ? failure : chatAnswer({ text }));
}

/** Codex retried once, from scratch, and finished with the second answer. */
function retriedOnce(prompt: string, text: string): E2EScenario['verify'] {
  return ({ run, bodies, transcript }) => {
    expect(bodies, transcript).toHaveLength(2);
    expect(lastUserText(bodies[1]!)).toBe(prompt);
    expect(messages(bodies[1]!).some((message) => textOf(message).includes('partial'))).toBe(false);
    expect(run.lastMessage?.trim(), transcript).toBe(text);
  };
}

const OVERLOAD_BODY = { error: { message: 'The server is overloaded, please try again later.', type: 'server_error' } };

export const overloadBeforeFirstByte: E2EScenario = {
  id: 'overload-before-first-byte',
  title: 'upstream 503 overloaded on every relay attempt: Codex retries the turn and succeeds',
  prompt: 'Say retried after overload',
  script: failOnceThenAnswer({ kind: 'json', status: 503, body: OVERLOAD_BODY }, 'retried after overload'),
  verify: retriedOnce('Say retried after overload', 'retried after overload'),
};

export const overloadMidStream: E2EScenario = {
  id: 'overload-mid-stream',
  title: 'overload error chunk in the middle of a stream: Codex retries and succeeds',
  prompt: 'Say recovered from overload',
  script: failOnceThenAnswer(
    {
      kind: 'sse',
      done: false,
      chunks: [
        ...textChunks('partial ', 'answer'),
        { error: { message: 'upstream overloaded mid-stream', code: 502 } },
      ],
    },
    'recovered from overload',
  ),
  verify: retriedOnce('Say recovered from overload', 'recovered from overload'),
};

export const resetMidStream: E2EScenario = {
  id: 'reset-mid-stream',
  title: 'connection reset in the middle of a stream: Codex retries and succeeds',
  prompt: 'Say recovered from reset',
  script: failOnceThenAnswer(
    {
      kind: 'custom',
      handle: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify(deltaChunk({ role: 'assistant', content: 'partial answ' }))}\n\n`);
        // Let the partial text reach the relay, then cut the connection.
        setTimeout(() => response.socket?.destroy(), 50);
      },
    },
    'recovered from reset',
  ),
  verify: retriedOnce('Say recovered from reset', 'recovered from reset'),
};

/** The relay gives up on an upstream silent this long inside an answer. */
const SHORT_RELAY_IDLE_MS = 500;

export const upstreamIdleTimeout: E2EScenario = {
  id: 'upstream-idle-timeout',
  title: "upstream silent past the relay's idle timeout: Codex retries and succeeds",
  prompt: 'Say recovered from silence',
  relay: { timeouts: { idleMs: SHORT_RELAY_IDLE_MS } },
  script: failOnceThenAnswer(
    {
      kind: 'custom',
      handle: async (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: ${JSON.stringify(deltaChunk({ role: 'assistant', content: 'partial' }))}\n\n`);
        await sleep(SHORT_RELAY_IDLE_MS * 6);
        if (!response.destroyed) response.end('data: [DONE]\n\n');
      },
    },
    'recovered from silence',
  ),
  verify: retriedOnce('Say recovered from silence', 'recovered from silence'),
};

export const rateLimitWithoutRetryAfter: E2EScenario = {
  id: 'rate-limit-no-retry-after',
  title: "upstream 429 without Retry-After: Codex waits the relay's default delay and succeeds",
  prompt: 'Say hello after the limit',
  script: failOnceThenAnswer(
    { kind: 'json', status: 429, body: { error: { message: 'Too many requests', type: 'rate_limit_error' } } },
    'hello after the limit',
  ),
  verify: ({ run, bodies, transcript }) => {
    expect(bodies, transcript).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(run.lastMessage?.trim(), transcript).toBe('hello after the limit');
  },
};

/** A permanent failure: Codex stops after one request and says why. */
function stopsWith(pattern: RegExp): E2EScenario['verify'] {
  return ({ run, bodies, transcript }) => {
    expect(bodies, transcript).toHaveLength(1);
    expect(`${run.stdout}\n${run.stderr}`, transcript).toMatch(pattern);
  };
}

export const quotaExhausted: E2EScenario = {
  id: 'quota-exhausted',
  title: 'provider balance exhausted (402): Codex stops at once with a quota message',
  prompt: 'Say anything',
  expectFailure: true,
  script: () => ({
    kind: 'json',
    status: 402,
    body: { error: { message: 'Insufficient Balance', type: 'unknown_error' } },
  }),
  verify: stopsWith(/quota/i),
};

export const keyRefused: E2EScenario = {
  id: 'key-refused',
  title: "provider refuses the key (401): Codex stops at once and shows the provider's message",
  prompt: 'Say anything',
  expectFailure: true,
  script: () => ({
    kind: 'json',
    status: 401,
    body: { error: { message: 'Authentication Fails (no such user)', type: 'authentication_error' } },
  }),
  verify: stopsWith(/rejected the API key: Authentication Fails \(no such user\)/),
};

export const contentFilter: E2EScenario = {
  id: 'content-filter',
  title:
    'provider content filter stops the answer: Codex retries within its stream retries, then stops naming the filter',
  prompt: 'Say something filtered',
  expectFailure: true,
  script: () => ({
    kind: 'sse',
    chunks: [...textChunks('partial '), finishChunk('content_filter'), usageChunk(100, 2)],
  }),
  verify: ({ run, bodies, transcript }) => {
    // response.incomplete (content_filter) is retried like a broken stream: once plus stream_max_retries (2 here).
    expect(bodies, transcript).toHaveLength(3);
    expect(run.stderr, transcript).toContain('Incomplete response returned, reason: content_filter');
  },
};

/** Codex gives up on a stream silent this long; the upstream holds its headers longer. */
const SHORT_CODEX_IDLE_MS = 1_500;

export const slowFirstByte: E2EScenario = {
  id: 'slow-first-byte',
  title:
    "upstream holds its response headers past the heartbeat interval and Codex's idle timeout: one request, answered",
  prompt: 'Answer when ready',
  streamIdleTimeoutMs: SHORT_CODEX_IDLE_MS,
  heartbeatMs: SHORT_CODEX_IDLE_MS / 6,
  script: () => ({
    kind: 'custom',
    handle: async (_request, response) => {
      // No status line and no headers until the pause is over, as a queueing gateway does.
      await sleep(SHORT_CODEX_IDLE_MS * 2);
      if (response.destroyed) return;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const chunk of [...textChunks('answered after a slow start'), finishChunk('stop'), usageChunk(1200, 40)])
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      response.end('data: [DONE]\n\n');
    },
  }),
  verify: ({ run, bodies, transcript }) => {
    // Codex neither timed out nor retried.
    expect(bodies, transcript).toHaveLength(1);
    expect(run.lastMessage?.trim(), transcript).toBe('answered after a slow start');
  },
};
