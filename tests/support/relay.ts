/** Starts the relay in this process against a mock upstream, the way the CLI does. */
import { silentLogger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import type { ProviderProfile } from '../../src/providers/types.js';
import { ModelRouter, type AliasTarget } from '../../src/routing/router.js';
import { startRelayServer, type RunningRelay } from '../../src/server/start-server.js';
import type { UpstreamTimeouts } from '../../src/upstream/chat-client.js';
import type { RetryPolicy } from '../../src/upstream/retry-policy.js';

export interface TestRelayOptions {
  profile?: ProviderProfile;
  aliases?: Map<string, AliasTarget>;
  apiKey?: string;
  timeouts?: Partial<UpstreamTimeouts>;
  /** Defaults to no retries, so a scripted failure reaches the test as it is. */
  retryPolicy?: Partial<RetryPolicy>;
  heartbeatMs?: number;
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
    logger: silentLogger(),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    retryPolicy: options.retryPolicy ?? { maxRetries: 0 },
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
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
