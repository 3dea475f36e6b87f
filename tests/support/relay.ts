/** Starts the relay in this process against a mock upstream, the way the CLI does. */
import { silentLogger, type Logger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import type { ProviderProfile } from '../../src/providers/types.js';
import { ModelRouter, type AliasTarget } from '../../src/routing/router.js';
import { startRelayServer, type RelayServerOptions, type RunningRelay } from '../../src/server/start-server.js';
import type { ResponseStore } from '../../src/store/types.js';
import type { UpstreamTimeouts } from '../../src/upstream/chat-client.js';

export interface TestRelayOptions {
  profile?: ProviderProfile;
  aliases?: Map<string, AliasTarget>;
  apiKey?: string;
  timeouts?: Partial<UpstreamTimeouts>;
  heartbeatMs?: number;
  /** Defaults to a memory store owned by the relay. */
  store?: ResponseStore;
  /** Defaults to a silent logger. */
  logger?: Logger;
  /** Any other server option (token, limits, …); process metrics are off unless asked for. */
  server?: Partial<RelayServerOptions>;
}

export async function startTestRelay(upstreamBaseUrl: string, options: TestRelayOptions = {}): Promise<RunningRelay> {
  const profile = options.profile ?? genericProvider;
  const router = new ModelRouter(
    [{ name: profile.id, profile, endpoint: { baseUrl: upstreamBaseUrl, apiKey: options.apiKey ?? 'sk-upstream-test' } }],
    profile.id,
    options.aliases,
  );
  return startRelayServer({
    host: '127.0.0.1',
    port: 0,
    router,
    logger: options.logger ?? silentLogger(),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.store ? { store: options.store } : {}),
    processMetrics: false,
    ...options.server,
  });
}

/** Reads an SSE response body into parsed `data:` events. */
export async function readSse(response: Response): Promise<Array<Record<string, any>>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: ')))
    .filter((line): line is string => line !== undefined)
    .map((line) => JSON.parse(line.slice(6)));
}
