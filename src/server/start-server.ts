/**
 * Binds the app to a port. Used by the CLI, the tests and the benchmark, so
 * all of them run the relay the way users do.
 */
import { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../log.js';
import type { ModelRouter } from '../routing/router.js';
import type { UpstreamTimeouts } from '../upstream/chat-client.js';
import { createApp } from './app.js';
import type { AppDependencies } from './dependencies.js';
import { createRandomId } from './ids.js';
import { takeNodeWriter, writeSseToNode } from './node-sse.js';

export interface RelayServerOptions {
  host: string;
  port: number;
  router: ModelRouter;
  logger: Logger;
  timeouts?: Partial<UpstreamTimeouts>;
  heartbeatMs?: number;
  /** Defaults to a keep-alive pool owned (and closed) by the server. */
  dispatcher?: Dispatcher;
}

export interface RunningRelay {
  /** e.g. http://127.0.0.1:4444 */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = { firstByteMs: 300_000, idleMs: 300_000 };
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** Starts the relay; resolves once it is listening. */
export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelay> {
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 10_000 } });
  const deps: AppDependencies = {
    router: options.router,
    dispatcher,
    logger: options.logger,
    now: Date.now,
    createId: createRandomId,
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  };
  const app = createApp(deps);
  // Streaming turns are written straight to the socket (node-sse.ts); everything else as the app answered.
  const fetch = async (request: Request, bindings: HttpBindings | Http2Bindings): Promise<Response> => {
    const response = await app.fetch(request, bindings);
    const outgoing = bindings.outgoing;
    const source = outgoing instanceof ServerResponse ? takeNodeWriter(response) : undefined;
    if (!source) return response;
    writeSseToNode(source, response, outgoing as ServerResponse).catch((error: unknown) => {
      options.logger.error({ err: error }, 'writing a streamed response failed');
      outgoing.destroy();
    });
    return RESPONSE_ALREADY_SENT;
  };
  const server = createAdaptorServer({ fetch, hostname: options.host, port: options.port });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${address.port}`,
    host: options.host,
    port: address.port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
