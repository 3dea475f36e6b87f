/**
 * The browser protections over real HTTP: the request shapes a web page can
 * make (simple cross-site POSTs, a foreign Origin, DNS rebinding through the
 * Host header, a preflight) are refused before the upstream hears anything,
 * while loopback clients without an Origin work as before.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkBrowserAccess, hostName } from '../../src/server/middleware/browser-guard.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { finishChunk, type MockUpstream, textChunks, usageChunk } from '../support/mock-upstream.js';
import type { TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

async function setup(server: TestRelayOptions['server'] = {}): Promise<RunningRelay> {
  upstream = await servers.mockUpstream(() => ({
    kind: 'sse',
    chunks: [...textChunks('ok'), finishChunk('stop'), usageChunk(5, 1)],
  }));
  relay = await servers.relay(upstream.baseUrl, { server });
  return relay;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request, so Host and Origin are exactly what a browser would send. */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(relay!.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers, setHost: !('host' in headers) },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (piece: string) => (text += piece));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const REQUEST = JSON.stringify({ model: 'm', input: 'hi' });

function errorOf(answer: Answer): { message: string; type: string; code: string } {
  return (JSON.parse(answer.body) as { error: { message: string; type: string; code: string } }).error;
}

describe('POST bodies must be JSON', () => {
  it('refuses text/plain, a form and a missing content type with 415, before the upstream', async () => {
    await setup();
    for (const contentType of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      undefined,
    ]) {
      const answer = await send(
        'POST',
        '/v1/responses',
        contentType === undefined ? {} : { 'content-type': contentType },
        REQUEST,
      );
      expect(answer.status, String(contentType)).toBe(415);
      expect(errorOf(answer)).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_media_type' });
      expect(errorOf(answer).message).toContain('application/json');
    }
    expect(upstream!.requests).toHaveLength(0);
  });

  it('takes application/json with or without a charset', async () => {
    await setup();
    for (const contentType of ['application/json', 'Application/JSON; charset=utf-8']) {
      const answer = await send('POST', '/v1/responses', { 'content-type': contentType }, REQUEST);
      expect(answer.status, contentType).toBe(200);
    }
    expect(upstream!.requests).toHaveLength(2);
  });
});

describe('the Origin allow-list', () => {
  it('refuses a foreign Origin with 403 and no CORS grant, on POST and GET', async () => {
    await setup();
    const post = await send(
      'POST',
      '/v1/responses',
      { 'content-type': 'application/json', origin: 'http://evil.example' },
      REQUEST,
    );
    expect(post.status).toBe(403);
    expect(errorOf(post)).toMatchObject({ type: 'invalid_request_error', code: 'origin_not_allowed' });
    expect(errorOf(post).message).toContain('http://evil.example');
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    const get = await send('GET', '/v1/models', { origin: 'null' });
    expect(get.status).toBe(403);
    expect(upstream!.requests).toHaveLength(0);
  });

  it('refuses the other dialects the same way, each in its own error shape', async () => {
    await setup();
    const messages = JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    // Claude Code's SDK reads Anthropic's shape on /v1/messages.
    for (const path of ['/v1/messages', '/v1/messages/count_tokens']) {
      const foreign = await send(
        'POST',
        path,
        { 'content-type': 'application/json', origin: 'http://evil.example' },
        messages,
      );
      expect(foreign.status, path).toBe(403);
      const body = JSON.parse(foreign.body) as { type: string; error: { type: string; message: string } };
      expect(body.type, path).toBe('error');
      expect(body.error.type, path).toBe('permission_error');
      expect(body.error.message, path).toContain('http://evil.example');
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    }
    const plainText = await send('POST', '/v1/messages', { 'content-type': 'text/plain' }, messages);
    expect(plainText.status).toBe(415);
    expect(JSON.parse(plainText.body)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const rebound = await send(
      'POST',
      '/v1/messages',
      { 'content-type': 'application/json', host: 'attacker.example' },
      messages,
    );
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toMatchObject({ type: 'error' });
    const chat = await send(
      'POST',
      '/v1/chat/completions',
      { 'content-type': 'application/json', origin: 'http://evil.example' },
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(chat.status).toBe(403);
    expect(errorOf(chat)).toMatchObject({ type: 'invalid_request_error', code: 'origin_not_allowed' });
    expect(upstream!.requests).toHaveLength(0);
  });

  it('gives a preflight from a foreign origin no CORS grant', async () => {
    await setup({ allowOrigins: ['http://localhost:3000'] });
    const preflight = await send('OPTIONS', '/v1/responses', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
    expect(upstream!.requests).toHaveLength(0);
  });

  it('lets an allowed origin through, with its preflight answered and CORS headers on the answer', async () => {
    await setup({ allowOrigins: ['http://localhost:3000'] });
    const preflight = await send('OPTIONS', '/v1/responses', {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, authorization',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type, authorization');
    const post = await send(
      'POST',
      '/v1/responses',
      { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      JSON.stringify({ model: 'm', input: 'hi', stream: true }),
    );
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(post.body).toContain('response.completed');
    expect(upstream!.requests).toHaveLength(1);
  });
});

describe('same-origin pages (the dashboard the relay serves)', () => {
  it('lets a page the relay served call it, but not a rebinding page whose Origin matches its own Host', async () => {
    await setup();
    const port = new URL(relay!.url).port;
    const own = await send('GET', '/v1/models', { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` });
    expect(own.status).toBe(200);
    // Same scheme and name but another port is another origin.
    const otherPort = await send('GET', '/v1/models', { host: `127.0.0.1:${port}`, origin: 'http://127.0.0.1:1' });
    expect(otherPort.status).toBe(403);
    const rebinding = await send('GET', '/v1/models', {
      host: `evil.example:${port}`,
      origin: `http://evil.example:${port}`,
    });
    expect(rebinding.status).toBe(421);
    expect(upstream!.requests).toHaveLength(0);
  });
});

describe('the Host check', () => {
  it('refuses a rebinding Host with 421 on POST and GET, stored responses included', async () => {
    await setup();
    const port = new URL(relay!.url).port;
    const post = await send(
      'POST',
      '/v1/responses',
      { 'content-type': 'application/json', host: `evil.example:${port}` },
      REQUEST,
    );
    expect(post.status).toBe(421);
    expect(errorOf(post)).toMatchObject({ type: 'invalid_request_error', code: 'host_not_allowed' });
    expect(errorOf(post).message).toContain('--allow-host');
    for (const path of ['/v1/models', '/v1/responses/resp_abc', '/v1/responses/resp_abc/input_items', '/metrics']) {
      const get = await send('GET', path, { host: `evil.example:${port}` });
      expect(get.status, path).toBe(421);
    }
    expect(upstream!.requests).toHaveLength(0);
  });

  it('takes every loopback name without Origin, and a name given with --allow-host', async () => {
    await setup({ allowHosts: ['relay.internal'] });
    const port = new URL(relay!.url).port;
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'LOCALHOST',
      `relay.internal:${port}`,
    ]) {
      const answer = await send('POST', '/v1/responses', { 'content-type': 'application/json', host }, REQUEST);
      expect(answer.status, host).toBe(200);
    }
    expect((await send('GET', '/v1/models', { host: 'relay.internal' })).status).toBe(200);
    expect(upstream!.requests).toHaveLength(5);
  });

  it('still applies with a token, unless the operator allows every host with *', async () => {
    await setup({ authToken: 'relay-token-0123456789' });
    const headers = {
      'content-type': 'application/json',
      host: 'evil.example',
      authorization: 'Bearer relay-token-0123456789',
    };
    expect((await send('POST', '/v1/responses', headers, REQUEST)).status).toBe(421);
    await relay!.close();
    relay = await servers.relay(upstream!.baseUrl, {
      server: { authToken: 'relay-token-0123456789', allowHosts: ['*'] },
    });
    expect((await send('POST', '/v1/responses', headers, REQUEST)).status).toBe(200);
    expect(upstream!.requests).toHaveLength(1);
  });

  it('keeps the health probes open whatever the Host', async () => {
    await setup();
    expect((await send('GET', '/healthz', { host: '10.1.2.3:4444' })).status).toBe(200);
  });
});

describe('checkBrowserAccess (shared with other entry points)', () => {
  const policy = { allowOrigins: ['https://dash.example'], allowHosts: ['proxy.example'], bindHost: '192.168.1.5' };

  it('reads Host names with ports, brackets and a trailing dot', () => {
    expect(hostName('LocalHost:4444')).toBe('localhost');
    expect(hostName('[::1]:4444')).toBe('[::1]');
    expect(hostName('::1')).toBe('[::1]');
    expect(hostName('proxy.example.')).toBe('proxy.example');
  });

  it('accepts the bind address and allowed names, refuses the rest', () => {
    expect(checkBrowserAccess({ host: '192.168.1.5:4444' }, policy)).toBeUndefined();
    expect(checkBrowserAccess({ host: 'proxy.example', origin: 'https://dash.example/' }, policy)).toBeUndefined();
    expect(checkBrowserAccess({ host: '192.168.1.6' }, policy)?.status).toBe(421);
    expect(checkBrowserAccess({ host: 'localhost', origin: 'https://other.example' }, policy)?.status).toBe(403);
    // A wildcard bind address is not a name a client sends.
    expect(checkBrowserAccess({ host: '0.0.0.0' }, { ...policy, bindHost: '0.0.0.0' })?.status).toBe(421);
    // No Host at all is not a browser.
    expect(checkBrowserAccess({}, policy)).toBeUndefined();
  });
});
