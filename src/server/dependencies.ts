/** Everything the HTTP app needs from outside, injected so tests can replace any of it. */
import type { Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import type { ModelRouter } from '../routing/router.js';
import type { IdPrefix } from '../translate/stream/response-stream.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';
import type { ResponseObserver } from './turn-stream.js';

export interface AppDependencies {
  router: ModelRouter;
  /** The HTTP client pool used for every upstream request. */
  dispatcher: Dispatcher;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  createId: (prefix: IdPrefix | 'resp') => string;
  timeouts: UpstreamTimeouts;
  /** Interval of `response.in_progress` heartbeats while the upstream is silent. */
  heartbeatMs: number;
  /** Called once per response to watch what it emits (tests check conformance); absent in normal use. */
  observeResponse?: () => ResponseObserver;
}
