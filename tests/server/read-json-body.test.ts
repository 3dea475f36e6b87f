/**
 * Reading a request's JSON body: the parsed value, a clear 400 for anything
 * else, and no copy of the body's text left on the request (a streamed turn's
 * request lives as long as its stream).
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { RelayError } from '../../src/errors.js';
import { readJsonBody } from '../../src/server/read-json-body.js';

function appReading(): { app: Hono; seen: Array<{ body: unknown; cached: string[] }> } {
  const seen: Array<{ body: unknown; cached: string[] }> = [];
  const app = new Hono();
  app.onError((error, context) =>
    context.json({ error: (error as RelayError).message }, (error as RelayError).status as 400),
  );
  app.post('/', async (context) => {
    const body = await readJsonBody(context);
    seen.push({ body, cached: Object.keys(context.req.bodyCache) });
    return context.json({ ok: true });
  });
  return { app, seen };
}

describe('readJsonBody', () => {
  it('parses the body and keeps no copy of its text on the request', async () => {
    const { app, seen } = appReading();
    const response = await app.request('/', { method: 'POST', body: JSON.stringify({ model: 'm', input: 'héllo ’' }) });
    expect(response.status).toBe(200);
    expect(seen).toEqual([{ body: { model: 'm', input: 'héllo ’' }, cached: [] }]);
  });

  it('answers an empty or broken body with a 400 that says what is wrong', async () => {
    const { app } = appReading();
    const empty = await app.request('/', { method: 'POST', body: '  ' });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toEqual({ error: expect.stringMatching(/body is empty/) });
    const broken = await app.request('/', { method: 'POST', body: '{"model":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: expect.stringMatching(/could not parse the JSON body/) });
  });
});
