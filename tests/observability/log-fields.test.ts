/**
 * Secret fields never reach a log line: `apiKey`, `authToken`,
 * `authorization`, and a `headers` object's `authorization` and `x-api-key`,
 * on the line itself, on any object it holds and in a child logger's
 * bindings. The caller's objects are left as they were, and an error keeps
 * its message and stack.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { censorSecretFields, createLogger } from '../../src/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: createLogger('debug', destination), lines };
}

const SECRET = 'sk-very-secret-value';

describe('secret fields in log lines', () => {
  it('censors them on the line, one level down and in headers, leaving the caller’s objects alone', () => {
    const { logger, lines } = capture();
    const provider = { name: 'kimi', apiKey: SECRET, headers: { authorization: `Bearer ${SECRET}`, accept: 'x' } };
    const request = { headers: { 'x-api-key': SECRET, 'user-agent': 'codex' }, path: '/v1/responses' };
    logger.info(
      { apiKey: SECRET, authToken: SECRET, authorization: SECRET, provider, request, count: 3, list: [SECRET] },
      'line',
    );
    const line = lines[0]!;
    expect(line).toMatchObject({
      apiKey: '[redacted]',
      authToken: '[redacted]',
      authorization: '[redacted]',
      provider: { name: 'kimi', apiKey: '[redacted]', headers: { authorization: '[redacted]', accept: 'x' } },
      request: { headers: { 'x-api-key': '[redacted]', 'user-agent': 'codex' }, path: '/v1/responses' },
      count: 3,
    });
    // Values are not searched here (the configured secret values are, by redact.ts): only the named fields.
    expect(line.list).toEqual([SECRET]);
    expect(provider.apiKey).toBe(SECRET);
    expect(provider.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request.headers['x-api-key']).toBe(SECRET);
  });

  it('censors a top-level headers object and child bindings', () => {
    const { logger, lines } = capture();
    const child = logger.child({ authorization: SECRET, requestId: 'req_1' });
    child.warn({ headers: { authorization: SECRET, apiKey: SECRET, 'content-type': 'json' } }, 'with headers');
    expect(lines[0]).toMatchObject({
      authorization: '[redacted]',
      requestId: 'req_1',
      headers: { authorization: '[redacted]', apiKey: '[redacted]', 'content-type': 'json' },
    });
    expect(JSON.stringify(lines[0])).not.toContain(SECRET);
    child.child({ provider: { name: 'kimi', apiKey: SECRET } }).info('grandchild');
    expect(lines[1]).toMatchObject({ authorization: '[redacted]', provider: { name: 'kimi', apiKey: '[redacted]' } });
    expect(JSON.stringify(lines[1])).not.toContain(SECRET);
  });

  it('keeps an error an error while censoring it', () => {
    const { logger, lines } = capture();
    const error = Object.assign(new Error('upstream refused'), { apiKey: SECRET, status: 401 });
    logger.error({ err: error }, 'failed');
    const err = lines[0]!.err as Record<string, unknown>;
    expect(err.type).toBe('Error');
    expect(err.message).toBe('upstream refused');
    expect(String(err.stack)).toContain('upstream refused');
    expect(err.apiKey).toBe('[redacted]');
    expect(err.status).toBe(401);
    expect(error.apiKey).toBe(SECRET);
  });

  it('returns the fields themselves when nothing is secret, and leaves unset fields unset', () => {
    const fields = { responseId: 'resp_1', status: 'completed', ms: 40, nested: { model: 'x' }, apiKey: undefined };
    expect(censorSecretFields(fields)).toBe(fields);
  });
});
