/**
 * One Responses WebSocket: `response.create` messages in, the turn's events
 * out as text frames. Each message runs through the same turn as POST
 * /v1/responses (run-turn.ts); what differs is where the history comes from —
 * this connection's own chain first, then the session store — and that a
 * prewarm (`generate: false`) answers at once without calling the upstream.
 * One turn at a time: a second `response.create` while one runs gets an
 * error event. The socket closing aborts the turn in flight.
 */
import type { WebSocket } from 'ws';
import { invalidRequest, RelayError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { isAssistantSide } from '../../store/reasoning-recovery.js';
import { outputAsInputItems } from '../../translate/output-items.js';
import type { ParsedRequest } from '../../translate/request/parse-request.js';
import type { AppDependencies } from '../dependencies.js';
import { type ResolvedInput, runTurn } from '../run-turn.js';
import { SseEncoder } from '../sse-encoding.js';
import type { TurnProducer } from '../turn-stream.js';
import { ConnectionChain } from './connection-chain.js';
import { errorFrame, splitFrames } from './frames.js';

export { PREWARM_ANSWERED } from '../prewarm-turn.js';

export interface ResponsesSocketOptions {
  deps: AppDependencies;
  socket: WebSocket;
  log: Logger;
  userAgent: string | undefined;
  /** Responses kept per connection for `previous_response_id`. */
  maxChainResponses: number;
  /** Held while a turn runs, so a graceful shutdown waits for it; returns the release. */
  holdTurn: () => () => void;
  /** True once the relay is shutting down: new turns are refused. */
  draining: () => boolean;
}

/** Log message (debug) that shows a socket used as Codex uses it (with PREWARM_ANSWERED). */
export const CHAIN_CONTINUED = 'continued from the connection chain';

export class ResponsesSocket {
  private readonly options: ResponsesSocketOptions;
  private readonly chain: ConnectionChain;
  /** The turn in flight: aborting it stops the upstream. */
  private running: AbortController | undefined;
  private closed = false;

  constructor(options: ResponsesSocketOptions) {
    this.options = options;
    this.chain = new ConnectionChain(options.maxChainResponses);
    options.socket.on('message', (data, isBinary) => this.onMessage(data.toString(), isBinary));
    options.socket.on('close', () => {
      this.closed = true;
      this.running?.abort(new Error('client disconnected'));
    });
  }

  /** True while a turn runs. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  private onMessage(text: string, isBinary: boolean): void {
    if (this.running) {
      this.sendError(
        invalidRequest(
          'A response is already in progress on this connection; wait for it to finish before sending another response.create.',
          null,
          'response_in_progress',
        ),
      );
      return;
    }
    const controller = new AbortController();
    this.running = controller;
    const release = this.options.holdTurn();
    this.handle(text, isBinary, controller.signal)
      .catch((error: unknown) => {
        if (!(error instanceof RelayError)) this.options.log.error({ err: error }, 'websocket turn failed');
        this.sendError(error);
      })
      .finally(() => {
        this.running = undefined;
        release();
      });
  }

  private async handle(text: string, isBinary: boolean, signal: AbortSignal): Promise<void> {
    const { deps } = this.options;
    const startedAt = deps.now();
    if (this.options.draining())
      throw new RelayError('The relay is shutting down; reconnect to continue.', {
        status: 503,
        type: 'server_error',
        code: 'server_shutting_down',
      });
    if (isBinary) throw invalidRequest('Messages must be JSON text frames.');
    const { type: _type, generate, ...body } = parseMessage(text);
    const requestId = deps.createId('req');
    const result = await runTurn(deps, {
      // A socket always streams: validated as if the message had said so.
      body: { ...body, stream: true },
      origin: { requestId, userAgent: this.options.userAgent, clientSignal: signal },
      log: this.options.log.child({ requestId }),
      startedAt,
      transport: 'websocket',
      stream: true,
      prewarm: generate === false,
      resolveInput: (parsed, log) => this.resolveInput(parsed, log),
    });
    const { parsed, input, translation } = result;
    // Only the conversation goes on the chain: the instructions come with every request.
    const conversation = input.slice(parsed.instructionItems);
    if (result.kind === 'prewarmed') {
      this.chain.set(result.response.id, conversation, translation);
      await this.sendFrames(new SseEncoder(result.response).encode(result.events));
      return;
    }
    await this.deliver(result.producer);
    const response = result.translator.response;
    if (response.status === 'completed' || response.status === 'incomplete') {
      this.chain.set(response.id, [...conversation, ...outputAsInputItems(response.output)], translation);
    }
  }

  /**
   * The conversation for the turn: this connection's chain, else the session
   * store, then the new items; and the chain's translation to extend, if any.
   */
  private async resolveInput(parsed: ParsedRequest, log: Logger): Promise<ResolvedInput> {
    const { request, instructionItems } = parsed;
    const previousId = request.previous_response_id;
    const known = typeof previousId === 'string' ? this.chain.get(previousId) : undefined;
    if (!known) return { input: await this.options.deps.history.resolveInput(request, instructionItems, log) };
    const earlier = known.translation;
    log.debug(
      {
        previousResponseId: previousId,
        earlierItems: known.items.length,
        newItems: request.input.length - instructionItems,
      },
      CHAIN_CONTINUED,
    );
    const added = request.input.slice(instructionItems);
    const { history } = this.options.deps;
    const unchained = { ...request, previous_response_id: undefined };
    // No store lookup for the chain; reasoning a client dropped is still restored. The chain's items had theirs
    // restored when they were new, so only the new items are looked at, unless they continue its last assistant turn.
    if (added.length > 0 && isAssistantSide(added[0]!)) {
      const items = [...request.input.slice(0, instructionItems), ...known.items, ...added];
      return { input: await history.resolveInput({ ...unchained, input: items }, instructionItems, log), earlier };
    }
    const restored = await history.resolveInput(unchained, instructionItems, log);
    const input = [...restored.slice(0, instructionItems), ...known.items, ...restored.slice(instructionItems)];
    return { input, earlier };
  }

  /** Writes a streamed turn frame by frame, at the pace the socket takes them. */
  private async deliver(producer: TurnProducer): Promise<void> {
    const stop = () => producer.cancel();
    this.options.socket.once('close', stop);
    try {
      producer.startHeartbeats((text) => void this.sendFrames(text));
      for (;;) {
        if (this.closed) {
          producer.cancel();
          return;
        }
        const piece = await producer.next();
        if (piece === undefined) return;
        await this.sendFrames(piece.toString());
      }
    } finally {
      this.options.socket.off('close', stop);
    }
  }

  /** Sends each frame of a piece of text; resolves once the last has been handed to the socket. */
  private sendFrames(text: string): Promise<void> {
    const frames = splitFrames(text);
    const { socket } = this.options;
    return new Promise((resolve) => {
      if (frames.length === 0 || this.closed || socket.readyState !== socket.OPEN) {
        resolve();
        return;
      }
      frames.forEach((frame, index) => socket.send(frame, index === frames.length - 1 ? () => resolve() : undefined));
    });
  }

  private sendError(error: unknown): void {
    void this.sendFrames(errorFrame(error, this.options.deps.redact));
  }
}

/** A client message: a JSON object of type `response.create`. */
function parseMessage(text: string): Record<string, unknown> {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw invalidRequest('The message is not valid JSON.', null, 'invalid_json');
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message))
    throw invalidRequest('The message must be a JSON object.');
  const type = (message as { type?: unknown }).type;
  if (type !== 'response.create')
    throw invalidRequest(
      `Unsupported message type ${JSON.stringify(type)}; only "response.create" is accepted.`,
      'type',
      'invalid_value',
    );
  return message as Record<string, unknown>;
}
