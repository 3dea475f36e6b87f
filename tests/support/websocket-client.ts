/** A Responses WebSocket client for tests: sends `response.create` messages and reads each turn's frames. */
import { WebSocket } from 'ws';
import { assertConformantStream } from './conformance.js';

const TERMINAL = new Set(['response.completed', 'response.failed', 'response.incomplete', 'error']);

export class ResponsesWebSocket {
  readonly socket: WebSocket;
  private readonly frames: Array<Record<string, any>> = [];
  private waiter: (() => void) | undefined;
  /** Resolves with the close code. */
  readonly closed: Promise<number>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary) throw new Error('binary frame received');
      this.frames.push(JSON.parse(data.toString()) as Record<string, any>);
      this.waiter?.();
    });
    this.closed = new Promise((resolve) =>
      socket.on('close', (code) => {
        resolve(code);
        this.waiter?.();
      }),
    );
  }

  /** Opens a socket to `{relayUrl}/v1/responses`; rejects with the HTTP status when the upgrade is refused. */
  static open(relayUrl: string, headers: Record<string, string> = {}): Promise<ResponsesWebSocket> {
    const socket = new WebSocket(`${relayUrl.replace(/^http/, 'ws')}/v1/responses`, {
      headers,
      perMessageDeflate: true,
    });
    const client = new ResponsesWebSocket(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode, body }),
          ),
        );
      });
      socket.once('error', reject);
    });
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify({ type: 'response.create', ...message }));
  }

  /**
   * The frames of the next turn, up to its terminal event (an error event
   * counts unless `throughErrors`); the turn's events are checked for conformance.
   */
  async nextTurn(options: { throughErrors?: boolean } = {}): Promise<Array<Record<string, any>>> {
    const turn: Array<Record<string, any>> = [];
    for (;;) {
      const frame = this.frames.shift();
      if (frame) {
        turn.push(frame);
        if (TERMINAL.has(frame.type as string) && !(options.throughErrors && frame.type === 'error')) break;
        continue;
      }
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error(`socket closed after ${turn.length} frames`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    if (turn.at(-1)!.type !== 'error')
      assertConformantStream(
        turn.filter((frame) => frame.type !== 'error'),
        'websocket turn',
      );
    return turn;
  }

  /** Sends a message and reads its turn. */
  async turn(message: Record<string, unknown>): Promise<Array<Record<string, any>>> {
    this.send(message);
    return this.nextTurn();
  }

  close(): void {
    this.socket.close();
  }
}
