/** createServices: what it owns it closes, what it is given stays open, and one redactor serves the log and the clients. */

import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import { ModelRouter } from '../../src/routing/router.js';
import { createServices } from '../../src/server/services.js';
import { listenRelay } from '../../src/server/start-server.js';
import { MemoryResponseStore } from '../../src/store/memory-store.js';

const UPSTREAM_KEY = 'sk-upstream-secret-for-services';
const TOKEN = 'relay-token-for-services';

function router(): ModelRouter {
  return new ModelRouter(
    [
      {
        name: 'generic',
        profile: genericProvider,
        endpoint: { baseUrl: 'http://127.0.0.1:9/v1', apiKey: UPSTREAM_KEY },
      },
    ],
    'generic',
  );
}

let blocker: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
});

describe('createServices', () => {
  it('closes the store it opened and leaves a store it was given open', async () => {
    const owned = createServices({ router: router(), logger: silentLogger(), processMetrics: false });
    await owned.store.ping();
    await owned.close();
    await expect(owned.store.ping()).rejects.toThrow(/closed/);

    const given = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 });
    const services = createServices({ router: router(), logger: silentLogger(), processMetrics: false, store: given });
    await services.close();
    await expect(given.ping()).resolves.toBeUndefined();
    await given.close();
  });

  it('takes the upstream keys and the relay token out of text, with the redactor it was given when there is one', async () => {
    const services = createServices({
      router: router(),
      logger: silentLogger(),
      processMetrics: false,
      authToken: TOKEN,
    });
    const redacted = services.redact(`upstream said ${UPSTREAM_KEY}; client sent ${TOKEN}`);
    expect(redacted).not.toContain(UPSTREAM_KEY);
    expect(redacted).not.toContain(TOKEN);
    await services.close();

    const redact = (text: string) => text.replaceAll('x', '*');
    const withGiven = createServices({ router: router(), logger: silentLogger(), processMetrics: false, redact });
    expect(withGiven.redact).toBe(redact);
    await withGiven.close();
  });

  it('are closed again when the relay cannot listen', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const services = createServices({ router: router(), logger: silentLogger(), processMetrics: false });
    await expect(listenRelay(services, { host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await expect(services.store.ping()).rejects.toThrow(/closed/);
  });
});
