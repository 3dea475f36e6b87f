/** The typed context variables every handler can read (set once by middleware or the route). */
import type { Logger } from '../log.js';
import type { RequestLabels } from './request-labels.js';
import type { TurnLifecycle } from './turn-lifecycle.js';

export interface RelayEnv {
  Variables: {
    requestId: string;
    /** The request's logger: every line carries its request id. */
    log: Logger;
    /** Set by POST /v1/responses once it is resolved. */
    labels?: RequestLabels;
    /** Set when a response turn starts: the turn then logs and counts itself when it ends. */
    turn?: TurnLifecycle;
  };
}
