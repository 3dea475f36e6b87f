/** GET /v1/models across providers, with the upstream lists cached and refreshed on demand. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import { mistralProvider } from '../../src/providers/mistral.js';
import { ModelRouter } from '../../src/routing/router.js';
import { type RunningRelay, startRelayServer } from '../../src/server/start-server.js';
import type { MockUpstream } from '../support/mock-upstream.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();

async function upstreamWithModels(models: unknown[]): Promise<MockUpstream> {
  return servers.mockUpstream(() => ({ kind: 'json', status: 500, body: {} }), models);
}

async function relay(router: ModelRouter, modelsTtlMs = 60_000): Promise<RunningRelay> {
  const running = await startRelayServer({ host: '127.0.0.1', port: 0, router, logger: silentLogger(), modelsTtlMs });
  servers.track(running);
  return running;
}

async function listModels(
  running: RunningRelay,
  query = '',
  headers: Record<string, string> = {},
): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${running.url}/v1/models${query}`, { headers });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { object: string; data: Array<Record<string, unknown>> };
  expect(body.object).toBe('list');
  return body.data;
}

describe('GET /v1/models', () => {
  it('lists every routed model across providers with context windows, and aliases', async () => {
    const main = await upstreamWithModels([
      {
        id: 'big-model',
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'acme',
        context_window: 200_000,
        max_completion_tokens: 16_000,
      },
      { id: 'small-model', object: 'model', owned_by: 'acme' },
    ]);
    const other = await upstreamWithModels([
      { id: 'mistral-large-latest', object: 'model', max_context_length: 131_072 },
    ]);
    const router = new ModelRouter(
      [
        { name: 'main', profile: genericProvider, endpoint: { baseUrl: main.baseUrl, apiKey: 'k' } },
        { name: 'other', profile: mistralProvider, endpoint: { baseUrl: other.baseUrl, apiKey: 'k' } },
      ],
      'main',
      new Map([
        [
          'coder',
          { provider: 'main', model: 'big-model', fallbacks: [{ provider: 'other', model: 'mistral-large-latest' }] },
        ],
      ]),
    );
    const data = await listModels(await relay(router));
    expect(data.map((entry) => entry.id)).toEqual(['coder', 'big-model', 'small-model', 'other/mistral-large-latest']);
    expect(data[0]).toMatchObject({
      id: 'coder',
      object: 'model',
      created: 1_700_000_000,
      owned_by: 'acme',
      context_window: 200_000,
      max_output_tokens: 16_000,
    });
    expect(data[2]).toEqual({ id: 'small-model', object: 'model', created: 0, owned_by: 'acme' });
    // The upstream said 131072; that wins over the profile's own figure.
    expect(data[3]).toMatchObject({ context_window: 131_072, owned_by: 'other' });
  });

  it('caches the upstream lists and asks again on ?refresh=true or Cache-Control: no-cache', async () => {
    const main = await upstreamWithModels([{ id: 'm1' }]);
    const router = new ModelRouter(
      [{ name: 'main', profile: genericProvider, endpoint: { baseUrl: main.baseUrl, apiKey: undefined } }],
      'main',
    );
    const running = await relay(router);
    await listModels(running);
    await listModels(running);
    expect(main.modelListRequests).toBe(1);
    await listModels(running, '?refresh=true');
    expect(main.modelListRequests).toBe(2);
    await listModels(running, '', { 'cache-control': 'no-cache' });
    expect(main.modelListRequests).toBe(3);
  });

  it('asks again once the list is older than the TTL', async () => {
    const main = await upstreamWithModels([{ id: 'm1' }]);
    const router = new ModelRouter(
      [{ name: 'main', profile: genericProvider, endpoint: { baseUrl: main.baseUrl, apiKey: undefined } }],
      'main',
    );
    const running = await relay(router, 0);
    await listModels(running);
    await listModels(running);
    expect(main.modelListRequests).toBe(2);
  });

  it("falls back to the profile's known models when an upstream cannot list its models", async () => {
    const dead = await upstreamWithModels([]);
    await dead.close();
    const router = new ModelRouter(
      [{ name: 'mistral', profile: mistralProvider, endpoint: { baseUrl: dead.baseUrl, apiKey: 'k' } }],
      'mistral',
    );
    const data = await listModels(await relay(router));
    expect(data.map((entry) => entry.id)).toEqual(mistralProvider.models.map((model) => model.id));
    expect(data[0]).toMatchObject({ id: 'mistral-large-latest', owned_by: 'mistral', context_window: 262_144 });
  });
});
