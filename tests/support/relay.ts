/** Starts the relay in this process against a mock upstream, the way the CLI does. */
import { type Logger, silentLogger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import { type AliasTarget, ModelRouter } from '../../src/routing/router.js';
import { type RelayServerOptions, type RunningRelay, startRelayServer } from '../../src/server/start-server.js';
import type { ResponseStore } from '../../src/store/types.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import type { UpstreamTimeouts } from '../../src/upstream/chat-client.js';
import type { RetryPolicy } from '../../src/upstream/retry-policy.js';
import { assertConformantStream, conformanceObserver } from './conformance.js';

export interface TestRelayOptions {
  profile?: ProviderProfile;
  aliases?: Map<string, AliasTarget>;
  apiKey?: string;
  timeouts?: Partial<UpstreamTimeouts>;
  /** Defaults to no retries, so a scripted failure reaches the test as it is. */
  retryPolicy?: Partial<RetryPolicy>;
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
    [
      {
        name: profile.id,
        profile,
        endpoint: { baseUrl: upstreamBaseUrl, apiKey: options.apiKey ?? 'sk-upstream-test' },
      },
    ],
    profile.id,
    options.aliases,
  );
  return startRelayServer({
    host: '127.0.0.1',
    port: 0,
    router,
    logger: options.logger ?? silentLogger(),
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    retryPolicy: options.retryPolicy ?? { maxRetries: 0 },
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.store ? { store: options.store } : {}),
    // Every response is checked against the OpenAI spec and the ordering rules as it
    // is emitted; tests/support/conformance-setup.ts fails the test on a violation.
    observeResponse: conformanceObserver,
    processMetrics: false,
    ...options.server,
  });
}

/**
 * Reads an SSE response body into parsed `data:` events, checking on the way
 * that each block is `event: <type>` + `data: <json>` with the same type, and
 * that the whole stream is conformant (throws ConformanceError otherwise).
 */
export async function readSse(response: Response): Promise<Array<Record<string, any>>> {
  const text = await response.text();
  const events: Array<Record<string, any>> = [];
  const framing: string[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const name = lines.find((line) => line.startsWith('event: '))?.slice(7);
    const data = lines.find((line) => line.startsWith('data: '));
    if (data === undefined) {
      framing.push(`a block without data: ${JSON.stringify(block.slice(0, 120))}`);
      continue;
    }
    const event = JSON.parse(data.slice(6)) as Record<string, any>;
    if (name !== event.type)
      framing.push(`#${events.length}: \`event: ${name}\` does not name the data's type ${event.type}`);
    events.push(event);
  }
  if (framing.length > 0) throw new Error(`The SSE framing is wrong:\n  ${framing.join('\n  ')}`);
  assertConformantStream(events, 'The SSE stream');
  return events;
}
