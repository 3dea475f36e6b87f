/**
 * Graceful shutdown of the HTTP server: stop accepting; let the responses in
 * flight finish during the grace period; end the ones still running with
 * `response.failed` (a code Codex retries), giving them a last moment to reach
 * their clients; then close every connection. The whole takes at most the
 * grace period.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { UpstreamFailure } from '../translate/upstream-errors.js';
import type { TurnRegistry } from './turn-lifecycle.js';

/** The longest part of the grace period kept for delivering the `response.failed` of cut-off turns. */
const MAX_FLUSH_MS = 1_000;

export const SHUTDOWN_FAILURE: UpstreamFailure = {
  code: 'server_error',
  message: 'The relay is shutting down, so this response was stopped before it finished. Send the request again.',
};

/** Follows the HTTP responses still open, so a shutdown knows when every reply is out. */
export class OpenResponses {
  private readonly open = new Set<object>();
  private waiters: Array<() => void> = [];

  /** Starts following the server's requests; call before it listens. */
  constructor(server: Server) {
    server.on('request', (_request, response: ServerResponse) => {
      this.open.add(response);
      response.once('close', () => {
        this.open.delete(response);
        if (this.open.size === 0) this.wakeAll();
      });
    });
  }

  get size(): number {
    return this.open.size;
  }

  /** Counts a reply that is not an HTTP response (a WebSocket turn) until the returned release is called. */
  hold(): () => void {
    const held = {};
    this.open.add(held);
    return () => {
      if (!this.open.delete(held)) return;
      if (this.open.size === 0) this.wakeAll();
    };
  }

  /** Resolves when no response is open, after `ms`, or when wakeAll() is called. */
  settle(ms: number): Promise<void> {
    if (this.open.size === 0 || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.push(done);
    });
  }

  /** Ends the waits in progress at once. */
  wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export interface DrainOptions {
  server: Server;
  responses: OpenResponses;
  turns: TurnRegistry;
  graceMs: number;
  logger: Logger;
  /** Resolves when the grace period should end early (a second signal). */
  hurry: Promise<void>;
  /** Closes what the HTTP server does not track once upgraded (WebSockets), before it waits for its connections. */
  closeUpgraded?: () => void;
}

/** Runs the shutdown sequence; resolves once every connection is closed. */
export async function drainServer(options: DrainOptions): Promise<void> {
  const { server, responses, turns, logger } = options;
  turns.draining = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const flushMs = Math.min(MAX_FLUSH_MS, options.graceMs / 4);
  if (responses.size > 0) {
    logger.info(
      { inFlight: turns.size, openResponses: responses.size, graceMs: options.graceMs },
      'shutting down: waiting for responses in flight',
    );
    let inGracePeriod = true;
    void options.hurry.then(() => {
      if (inGracePeriod) responses.wakeAll();
    });
    await responses.settle(options.graceMs - flushMs);
    inGracePeriod = false;
  }
  if (turns.size > 0) {
    logger.warn({ inFlight: turns.size }, 'shutting down: ending the responses still running with response.failed');
    turns.cutOffAll(SHUTDOWN_FAILURE);
    await responses.settle(flushMs);
  }
  options.closeUpgraded?.();
  server.closeAllConnections();
  await closed;
}
