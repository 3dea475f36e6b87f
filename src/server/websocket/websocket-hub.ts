/**
 * `GET /v1/responses` upgrades: the Responses WebSocket transport. The
 * upgrade passes the same gates as an HTTP request — a 503 while shutting
 * down, the browser protections (Host, Origin), the relay's token — and is
 * refused with an HTTP error before upgrading. Past the connection cap the
 * socket is opened only to say `websocket_connection_limit_reached` (Codex
 * retries it) and closed. permessage-deflate, which Codex offers, is accepted
 * from clients on other machines (on loopback it would only cost CPU). Idle sockets are pinged (Codex answers pings) and
 * closed past the idle limit; a shutdown closes every socket with 1001 once
 * its turn is done.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { RelayError, toErrorBody } from '../../errors.js';
import type { AppDependencies } from '../dependencies.js';
import { checkBrowserAccess } from '../middleware/browser-guard.js';
import { presentedToken, sameSecret } from '../middleware/require-token.js';
import { errorFrame } from './frames.js';
import { ResponsesSocket } from './responses-socket.js';

export interface WebSocketLimits {
  /** Open sockets at once. */
  maxConnections: number;
  /** Responses each socket keeps for `previous_response_id`. */
  maxChainResponses: number;
  /** A ping this often; a socket that has not answered the last one is closed. */
  pingIntervalMs: number;
  /** A socket with no turn for this long is closed. */
  idleTimeoutMs: number;
  /**
   * When permessage-deflate is accepted: `remote` for clients on other
   * machines only (on loopback it saves nothing and costs about 3 ms of CPU
   * per turn, see docs/benchmarks.md), `always`, or `never`.
   */
  deflate: 'remote' | 'always' | 'never';
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  maxConnections: 256,
  maxChainResponses: 64,
  pingIntervalMs: 30_000,
  idleTimeoutMs: 30 * 60_000,
  deflate: 'remote',
};

/** Whether a client at `address` gets permessage-deflate (when it offers it). */
export function compresses(deflate: WebSocketLimits['deflate'], address: string | undefined): boolean {
  if (deflate !== 'remote') return deflate === 'always';
  return !(address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true);
}

const WEBSOCKET_PATH = '/v1/responses';
/** Close codes: going away (shutdown), policy (idle), try again later (connection cap). */
const GOING_AWAY = 1001;
const IDLE = 1000;
const TRY_AGAIN_LATER = 1013;

interface Connection {
  socket: WebSocket;
  handler: ResponsesSocket;
  alive: boolean;
  lastActive: number;
}

export class WebSocketHub {
  private readonly deps: AppDependencies;
  private readonly limits: WebSocketLimits;
  private readonly holdTurn: () => () => void;
  private readonly server: WebSocketServer;
  /** Accepts permessage-deflate, as Codex offers it. */
  private readonly deflatingServer: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly pinger: NodeJS.Timeout;

  constructor(deps: AppDependencies, holdTurn: () => () => void, limits: Partial<WebSocketLimits> = {}) {
    this.deps = deps;
    this.holdTurn = holdTurn;
    this.limits = { ...DEFAULT_WEBSOCKET_LIMITS, ...limits };
    // The message limit is the HTTP body limit.
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: deps.access.maxBodyBytes,
      perMessageDeflate: false,
    });
    this.deflatingServer = new WebSocketServer({
      noServer: true,
      maxPayload: deps.access.maxBodyBytes,
      perMessageDeflate: true,
    });
    this.pinger = setInterval(() => this.sweep(), this.limits.pingIntervalMs);
    this.pinger.unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** The HTTP server's `upgrade` handler. */
  readonly handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = this.refusal(request);
    if (refusal) {
      refuseUpgrade(socket, refusal, this.deps.redact);
      return;
    }
    const server = compresses(this.limits.deflate, request.socket.remoteAddress) ? this.deflatingServer : this.server;
    server.handleUpgrade(request, socket, head, (webSocket) => this.accept(webSocket, request));
  };

  /** Closes every socket with "going away"; a socket with a turn in flight is closed when the turn ends (a shutdown cuts it off). */
  closeAll(): void {
    clearInterval(this.pinger);
    for (const connection of this.connections) connection.socket.close(GOING_AWAY, 'relay shutting down');
    const stragglers = setTimeout(() => {
      for (const connection of this.connections) connection.socket.terminate();
    }, 1_000);
    stragglers.unref();
  }

  private refusal(request: IncomingMessage): RelayError | undefined {
    const path = (request.url ?? '').split('?')[0];
    if (path !== WEBSOCKET_PATH)
      return new RelayError(`No WebSocket endpoint at ${path}; use ${WEBSOCKET_PATH}.`, {
        status: 404,
        type: 'invalid_request_error',
        code: 'not_found',
      });
    if (this.deps.turns.draining)
      return new RelayError('The relay is shutting down.', {
        status: 503,
        type: 'server_error',
        code: 'server_shutting_down',
      });
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const browser = checkBrowserAccess({ origin: header('origin'), host: header('host') }, this.deps.access.browser);
    if (browser) return browser;
    const token = this.deps.access.authToken;
    if (token === undefined) return undefined;
    const presented = presentedToken(header('authorization'), header('x-api-key'));
    if (presented === undefined || !sameSecret(presented, token)) {
      return new RelayError(
        presented === undefined
          ? 'Missing API key: send the relay token as "Authorization: Bearer <token>" or "x-api-key: <token>".'
          : 'Incorrect API key provided for this relay.',
        {
          status: 401,
          type: 'authentication_error',
          code: 'invalid_api_key',
        },
      );
    }
    return undefined;
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    if (this.connections.size >= this.limits.maxConnections) {
      const limit = new RelayError(
        `The relay already has ${this.limits.maxConnections} WebSocket connections open; try again shortly.`,
        {
          status: 429,
          type: 'rate_limit_error',
          code: 'websocket_connection_limit_reached',
        },
      );
      socket.send(errorFrame(limit, this.deps.redact), () => socket.close(TRY_AGAIN_LATER, 'connection limit reached'));
      return;
    }
    const log = this.deps.logger.child({ transport: 'websocket' });
    const connection: Connection = {
      socket,
      alive: true,
      lastActive: this.deps.now(),
      handler: new ResponsesSocket({
        deps: this.deps,
        socket,
        log,
        userAgent: request.headers['user-agent'],
        maxChainResponses: this.limits.maxChainResponses,
        holdTurn: () => {
          const release = this.holdTurn();
          return () => {
            connection.lastActive = this.deps.now();
            release();
            if (this.deps.turns.draining) socket.close(GOING_AWAY, 'relay shutting down');
          };
        },
        draining: () => this.deps.turns.draining,
      }),
    };
    this.connections.add(connection);
    socket.on('pong', () => (connection.alive = true));
    socket.on('message', () => (connection.lastActive = this.deps.now()));
    socket.on('error', (error) => log.debug({ err: error }, 'websocket error'));
    socket.on('close', () => this.connections.delete(connection));
  }

  /** Pings every socket; closes the ones that did not answer the last ping or sat idle too long. */
  private sweep(): void {
    const now = this.deps.now();
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      if (!connection.handler.busy && now - connection.lastActive > this.limits.idleTimeoutMs) {
        connection.socket.close(IDLE, 'idle');
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}

/** Answers a refused upgrade with the HTTP error in the OpenAI shape, and closes the socket. */
function refuseUpgrade(socket: Duplex, error: RelayError, redact: (text: string) => string): void {
  const { status, body } = toErrorBody(error);
  body.error.message = redact(body.error.message);
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
