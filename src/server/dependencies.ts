/** Everything the HTTP app needs from outside, injected so tests can replace any of it. */
import type { Logger } from '../log.js';
import type { ModelDirectory } from '../models/model-directory.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { Redactor } from '../observability/redact.js';
import type { ModelRouter } from '../routing/router.js';
import type { ResponseHistory } from '../store/response-history.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';
import type { RetryPolicy } from '../upstream/retry-policy.js';
import type { UpstreamDispatcher } from '../upstream/upstream-dispatcher.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { BrowserAccessPolicy } from './middleware/browser-guard.js';
import type { RequestPrefixCache } from './request-prefix/request-prefix-cache.js';
import type { TurnRegistry } from './turn-lifecycle.js';
import type { ResponseObserver } from './turn-stream.js';

export interface AppDependencies {
  router: ModelRouter;
  /** The routed models across providers, for GET /v1/models. */
  models: ModelDirectory;
  /** The HTTP client pools for upstream requests: one per provider, with its proxy and CAs. */
  dispatcher: UpstreamDispatcher;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** A new id with a type prefix (`resp`, `msg`, `fc`, …). */
  createId: (prefix: string) => string;
  timeouts: UpstreamTimeouts;
  /** Retries before the first byte reached the client. */
  retryPolicy: RetryPolicy;
  /** Interval of `response.in_progress` heartbeats while the upstream is silent. */
  heartbeatMs: number;
  /** Stored responses: `previous_response_id`, GET/DELETE /v1/responses/{id}. */
  history: ResponseHistory;
  /** Authenticates the `compaction` items the relay writes (compaction-envelope.ts). */
  compactionKey: Buffer;
  /** Called once per response to watch what it emits (tests check conformance); absent in normal use. */
  observeResponse?: () => ResponseObserver;
  metrics: RelayMetrics;
  /** Bounds the upstream calls in flight (`--max-concurrent`, `--max-queue`). */
  limiter: ConcurrencyLimiter;
  /** Turns in flight, which a shutdown ends; `draining` once it has begun. */
  turns: TurnRegistry;
  /** Takes the configured secrets out of text a client will see. */
  redact: Redactor;
  access: {
    /** The token clients must present; undefined leaves the relay open (the CLI allows that on loopback only). */
    authToken: string | undefined;
    maxBodyBytes: number;
    /** Which web origins and Host names are accepted (browser protections). */
    browser: BrowserAccessPolicy;
  };
  /** Log request input and response output (`--log-content`); off, no content is logged. */
  logContent: boolean;
  /** The usage ledger and the dashboard's live list. */
  usage: UsageRecorder;
  /** Recent HTTP conversations, so a request that resends one reads and translates only its new items. */
  requestPrefixes: RequestPrefixCache;
}
