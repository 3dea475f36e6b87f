/**
 * Binds the app, built on the relay's services (services.ts), to a port.
 * Used by the CLI, the tests and the benchmark, so all of them run the relay
 * the way users do.
 */
import { type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { RelayMetrics } from '../observability/metrics.js';
import type { ResponseHistory } from '../store/response-history.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import { createApp } from './app.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './defaults.js';
import { takeNodeWriter, writeSseToNode } from './node-sse.js';
import { createServices, type RelayServices, type ServiceOptions } from './services.js';
import { drainServer, OpenResponses } from './shutdown.js';
import { WebSocketHub, type WebSocketLimits } from './websocket/websocket-hub.js';

/** Where and how the relay listens. */
export interface ListenOptions {
  host: string;
  port: number;
  /** Caps and timers of the WebSocket transport. */
  websocket?: Partial<WebSocketLimits>;
}

/** The services' options and where to listen. */
export type RelayServerOptions = ServiceOptions & ListenOptions;

export interface RunningRelay {
  /** e.g. http://127.0.0.1:4444 */
  url: string;
  host: string;
  port: number;
  /** Stored responses and their write counters. */
  history: ResponseHistory;
  metrics: RelayMetrics;
  /** The usage ledger and the live list of turns. */
  usage: UsageRecorder;
  /**
   * Stops accepting, lets the responses in flight finish for up to `graceMs`,
   * ends the rest with `response.failed`, closes every connection and waits
   * for store writes (a store passed in stays open). Calling it again while it
   * runs ends the grace period at once; every call resolves when it is done.
   */
  shutdown(options?: { graceMs?: number }): Promise<void>;
  /** shutdown() with no grace period. Idempotent. */
  close(): Promise<void>;
}

/** Starts the relay on services of its own (createServices); resolves once it is listening. */
export async function startRelayServer(options: RelayServerOptions): Promise<RunningRelay> {
  return listenRelay(createServices(options), options);
}

/** Serves the app built on `services`; resolves once it is listening. Shutting down closes the services. */
export async function listenRelay(services: RelayServices, options: ListenOptions): Promise<RunningRelay> {
  const { history, metrics, turns, usage, logger } = services;
  const app = createApp(services);
  // Streaming turns are written straight to the socket (node-sse.ts); everything else as the app answered.
  const fetch = async (request: Request, bindings: HttpBindings | Http2Bindings): Promise<Response> => {
    const response = await app.fetch(request, bindings);
    const outgoing = bindings.outgoing;
    const source = outgoing instanceof ServerResponse ? takeNodeWriter(response) : undefined;
    if (!source) return response;
    writeSseToNode(source, response, outgoing as ServerResponse).catch((error: unknown) => {
      logger.error({ err: error }, 'writing a streamed response failed');
      outgoing.destroy();
    });
    return RESPONSE_ALREADY_SENT;
  };
  const server = createAdaptorServer({ fetch, hostname: options.host, port: options.port }) as Server;
  const responses = new OpenResponses(server);
  const websockets = new WebSocketHub(services, () => responses.hold(), options.websocket);
  server.on('upgrade', websockets.handleUpgrade);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Nothing was served: what the services opened is closed again (a store passed in stays open).
    await services.close();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  let stopping: Promise<void> | undefined;
  let hurry!: () => void;
  const hurried = new Promise<void>((resolve) => (hurry = resolve));
  const shutdown = (graceMs: number): Promise<void> => {
    if (stopping) {
      hurry();
      return stopping;
    }
    stopping = (async () => {
      // The dashboard's live streams never end by themselves.
      usage.endSubscribers();
      await drainServer({
        server,
        responses,
        turns,
        graceMs,
        logger,
        hurry: hurried,
        closeUpgraded: () => websockets.closeAll(),
      });
      await services.close();
    })();
    return stopping;
  };
  return {
    url: `http://${host}:${address.port}`,
    host: options.host,
    port: address.port,
    history,
    metrics,
    usage,
    shutdown: (shutdownOptions = {}) => shutdown(shutdownOptions.graceMs ?? DEFAULT_SHUTDOWN_GRACE_MS),
    close: () => shutdown(0),
  };
}
