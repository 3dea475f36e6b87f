/** Concurrency limiting, retry timing and inbound tokens, unit by unit. */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { RelayError, toErrorBody } from '../../src/errors.js';
import { ConcurrencyLimiter } from '../../src/server/concurrency-limiter.js';
import { presentedToken, requireToken } from '../../src/server/middleware/require-token.js';
import { DEFAULT_RETRY_POLICY, retryDelayMs } from '../../src/upstream/retry-policy.js';

describe('ConcurrencyLimiter', () => {
  it('queues past the limit in order and turns away past the queue', async () => {
    const limiter = new ConcurrencyLimiter(1, 1, 3);
    const first = await limiter.acquire();
    const order: string[] = [];
    const second = limiter.acquire().then((release) => {
      order.push('second');
      return release;
    });
    await expect(limiter.acquire()).rejects.toMatchObject({
      status: 503,
      code: 'server_is_overloaded',
      retryAfterSeconds: 3,
    });
    expect(limiter.queuedCount).toBe(1);
    first();
    first(); // releasing twice frees one slot only
    const releaseSecond = await second;
    expect(order).toEqual(['second']);
    expect(limiter.activeCount).toBe(1);
    releaseSecond();
    expect(limiter.activeCount).toBe(0);
  });

  it('drops a waiter whose request was aborted', async () => {
    const limiter = new ConcurrencyLimiter(1, 5);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error('client left'));
    await expect(waiting).rejects.toThrow('client left');
    expect(limiter.queuedCount).toBe(0);
    held();
    expect(limiter.activeCount).toBe(0);
  });
});

describe('retryDelayMs', () => {
  const serverError = { code: 'server_error' as const, message: 'boom' };

  it('backs off exponentially with jitter for retryable failures', () => {
    expect(retryDelayMs(serverError, 0, 0, DEFAULT_RETRY_POLICY, () => 0)).toBe(125);
    expect(retryDelayMs(serverError, 1, 0, DEFAULT_RETRY_POLICY, () => 1)).toBe(500);
  });

  it('honours Retry-After and stops when attempts or the budget run out', () => {
    const limited = { code: 'rate_limit_exceeded' as const, message: 'slow down', retryAfterSeconds: 3 };
    expect(retryDelayMs(limited, 0, 0, DEFAULT_RETRY_POLICY, () => 0)).toBe(3000);
    expect(retryDelayMs(limited, 0, 18_000, DEFAULT_RETRY_POLICY)).toBeUndefined();
    expect(retryDelayMs(serverError, DEFAULT_RETRY_POLICY.maxRetries, 0, DEFAULT_RETRY_POLICY)).toBeUndefined();
  });

  it('never retries what the client must fix', () => {
    expect(retryDelayMs({ code: 'invalid_request', message: 'bad' }, 0, 0, DEFAULT_RETRY_POLICY)).toBeUndefined();
    expect(
      retryDelayMs({ code: 'context_length_exceeded', message: 'long' }, 0, 0, DEFAULT_RETRY_POLICY),
    ).toBeUndefined();
    expect(retryDelayMs({ code: 'insufficient_quota', message: 'broke' }, 0, 0, DEFAULT_RETRY_POLICY)).toBeUndefined();
  });
});

describe('requireToken', () => {
  function app() {
    const hono = new Hono();
    hono.use(requireToken({ token: 'secret-token', openPaths: new Set(['/healthz']) }));
    hono.get('/healthz', (context) => context.text('ok'));
    hono.get('/v1/models', (context) => context.text('models'));
    hono.onError((error, context) => {
      const { status, body } = toErrorBody(error);
      return context.json(body, status as 401);
    });
    return hono;
  }

  it('reads Bearer and x-api-key tokens', () => {
    expect(presentedToken('Bearer abc', undefined)).toBe('abc');
    expect(presentedToken('bearer  abc ', undefined)).toBe('abc');
    expect(presentedToken(undefined, 'xyz')).toBe('xyz');
    expect(presentedToken('Basic abc', undefined)).toBeUndefined();
  });

  it('lets the right token through either header and keeps health open', async () => {
    expect((await app().request('/v1/models', { headers: { authorization: 'Bearer secret-token' } })).status).toBe(200);
    expect((await app().request('/v1/models', { headers: { 'x-api-key': 'secret-token' } })).status).toBe(200);
    expect((await app().request('/healthz')).status).toBe(200);
  });

  it('answers a missing or wrong token with a 401 in the OpenAI shape', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { 'x-api-key': 'secret-token-but-longer' },
    ];
    for (const headers of attempts) {
      const response = await app().request('/v1/models', { headers });
      expect(response.status).toBe(401);
      const body = (await response.json()) as any;
      expect(body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    }
    expect(new RelayError('x', { status: 401, type: 'authentication_error' }).status).toBe(401);
  });
});
