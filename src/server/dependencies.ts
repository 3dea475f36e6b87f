/** Everything the HTTP app needs from outside, injected so tests can replace any of it. */
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import type { ModelDirectory } from '../models/model-directory.js';
import type { ModelRouter } from '../routing/router.js';
import type { IdPrefix } from '../translate/stream/response-stream.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';
import type { RetryPolicy } from '../upstream/retry-policy.js';

export interface AppDependencies {
  router: ModelRouter;
  /** The routed models across providers, for GET /v1/models. */
  models: ModelDirectory;
  /** The HTTP client pool used for every upstream request. */
  dispatcher: Dispatcher;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  createId: (prefix: IdPrefix | 'resp') => string;
  timeouts: UpstreamTimeouts;
  /** Retries before the first byte reached the client. */
  retryPolicy: RetryPolicy;
  /** Interval of `response.in_progress` heartbeats while the upstream is silent. */
  heartbeatMs: number;
}
