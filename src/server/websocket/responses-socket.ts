/**
 * One Responses WebSocket: `response.create` messages in, the turn's events
 * out as text frames. Each message runs through the same turn as POST
 * /v1/responses (runTurn); what differs is where the history comes from —
 * this connection's own chain first, then the session store — and that a
 * prewarm (`generate: false`) answers at once without calling the upstream.
 * One turn at a time: a second `response.create` while one runs gets an
 * error event. The socket closing aborts the turn in flight.
 */
import type { WebSocket } from 'ws';
import { invalidRequest, RelayError } from '../../errors.js';
import { outputAsInputItems } from '../../translate/output-items.js';
import { buildChatRequest, type TranslationContinuation } from '../../translate/request/build-chat-request.js';
import type { InputTranslation } from '../../translate/request/incremental-input.js';
import { parseResponsesRequest, type ParsedRequest } from '../../translate/request/parse-request.js';
import type { InputItem } from '../../translate/request/responses-schema.js';
import { buildResponseEcho } from '../../translate/stream/response-object.js';
import { ResponseStreamTranslator } from '../../translate/stream/response-stream.js';
import type { ResolvedRoute } from '../../routing/router.js';
import type { Logger } from '../../log.js';
import type { AppDependencies } from '../dependencies.js';
import { runTurn, type PreparedTurn } from '../routes/responses.js';
import { TurnProducer, type TurnStreamOptions } from '../turn-stream.js';
import { ConnectionChain } from './connection-chain.js';
import { SseEncoder } from '../sse-encoding.js';
import { errorFrame, splitFrames } from './frames.js';

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

/** Log messages (debug) that show a socket used as Codex uses it. */
export const CHAIN_CONTINUED = 'continued from the connection chain';
export const PREWARM_ANSWERED = 'prewarm answered without the upstream';

/** Model names are metric labels: bounded in length (a client chooses them). */
const MAX_MODEL_LABEL = 100;

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
      this.sendError(invalidRequest('A response is already in progress on this connection; wait for it to finish before sending another response.create.', null, 'response_in_progress'));
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
    if (this.options.draining()) throw new RelayError('The relay is shutting down; reconnect to continue.', { status: 503, type: 'server_error', code: 'server_shutting_down' });
    if (isBinary) throw invalidRequest('Messages must be JSON text frames.');
    const message = parseMessage(text);
    const { type: _type, generate, ...body } = message;
    const parsed = parseResponsesRequest({ ...body, stream: true });
    const { request, instructionItems } = parsed;
    const route = deps.router.resolve(request.model);
    const requestId = deps.createId('req');
    const log = this.options.log.child({ requestId, provider: route.provider.name, model: request.model, upstreamModel: route.upstreamModel });
    const { input, earlier } = await this.resolveInput(parsed, log);
    let translation: InputTranslation | undefined;
    const continuation = { earlier, keep: (kept: InputTranslation) => (translation = kept) };
    if (generate === false) {
      await this.prewarm(parsed, input, route, continuation);
      return;
    }
    const prepared: PreparedTurn = {
      parsed,
      input,
      route,
      labels: { provider: route.provider.name, model: request.model.slice(0, MAX_MODEL_LABEL) },
      log,
      startedAt,
      origin: { requestId, userAgent: this.options.userAgent, clientSignal: signal },
      transport: 'websocket',
      continuation,
    };
    await runTurn(deps, prepared, {
      createEncoder: (echo) => new SseEncoder(echo),
      deliver: (turn, options, first) =>
        this.deliver({ ...options, abortUpstream: () => turn.stopUpstream(), clientGone: () => signal.aborted, heartbeatMs: deps.heartbeatMs }, first),
      // A WebSocket turn always streams (stream: true is set above); this is the whole response if not.
      whole: async (response) => this.sendFrames(new SseEncoder(response).encode([{ type: 'response.completed', sequence_number: 0, response }])),
    });
    const response = this.translator?.response;
    this.translator = undefined;
    if (response && (response.status === 'completed' || response.status === 'incomplete')) {
      this.chain.set(response.id, [...input.slice(instructionItems), ...outputAsInputItems(response.output)], translation);
    }
  }

  /** The translator of the turn being delivered; its response extends the chain. */
  private translator: TurnStreamOptions['translator'] | undefined;

  /**
   * The conversation for the turn: this connection's chain, else the session
   * store, then the new items; and the chain's translation to extend, if any.
   */
  private async resolveInput(parsed: ParsedRequest, log: Logger): Promise<{ input: InputItem[]; earlier: InputTranslation | undefined }> {
    const { request, instructionItems } = parsed;
    const previousId = request.previous_response_id;
    const known = typeof previousId === 'string' ? this.chain.get(previousId) : undefined;
    if (!known) return { input: await this.options.deps.history.resolveInput(request, instructionItems, log), earlier: undefined };
    log.debug({ previousResponseId: previousId, earlierItems: known.items.length, newItems: request.input.length - instructionItems }, CHAIN_CONTINUED);
    const items = [...request.input.slice(0, instructionItems), ...known.items, ...request.input.slice(instructionItems)];
    // No store lookup for the chain; reasoning a client dropped is still restored.
    const input = await this.options.deps.history.resolveInput({ ...request, previous_response_id: undefined, input: items }, instructionItems, log);
    return { input, earlier: known.translation };
  }

  /** `generate: false`: a response with an id and no output, whose input starts the chain. No upstream call. */
  private async prewarm(parsed: ParsedRequest, input: InputItem[], route: ResolvedRoute, continuation: TranslationContinuation): Promise<void> {
    const { deps } = this.options;
    const { request, instructionItems } = parsed;
    const built = buildChatRequest({ ...request, input }, route.provider.profile, route.upstreamModel, [], continuation);
    const seconds = () => Math.floor(deps.now() / 1000);
    const translator = new ResponseStreamTranslator({
      responseId: deps.createId('resp'),
      createdAt: seconds(),
      createId: deps.createId,
      now: seconds,
      echo: buildResponseEcho(request),
      names: built.names,
      hooks: route.provider.profile.hooks,
      classifyStreamError: () => ({ code: 'server_error', message: 'no upstream call' }),
    });
    const events = [...translator.start(), ...translator.onChunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }), ...translator.finish('done')];
    const response = translator.response;
    this.chain.set(response.id, input.slice(instructionItems), built.translation);
    this.options.log.debug({ responseId: response.id }, PREWARM_ANSWERED);
    await deps.history.record(request, instructionItems, response, this.options.log);
    await this.sendFrames(new SseEncoder(response).encode(events));
  }

  /** Writes a streamed turn frame by frame, at the pace the socket takes them. */
  private deliver(options: TurnStreamOptions, first: string): Promise<void> {
    const producer = new TurnProducer(options, first);
    const delivered = (async () => {
      const stop = () => producer.cancel();
      this.options.socket.once('close', stop);
      try {
        producer.startHeartbeats((text) => void this.sendFrames(text));
        for (;;) {
          if (this.closed) {
            producer.cancel();
            return;
          }
          const text = await producer.next();
          if (text === undefined) return;
          await this.sendFrames(text);
        }
      } finally {
        this.options.socket.off('close', stop);
      }
    })();
    this.translator = options.translator;
    return delivered;
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
  if (message === null || typeof message !== 'object' || Array.isArray(message)) throw invalidRequest('The message must be a JSON object.');
  const type = (message as { type?: unknown }).type;
  if (type !== 'response.create') throw invalidRequest(`Unsupported message type ${JSON.stringify(type)}; only "response.create" is accepted.`, 'type', 'invalid_value');
  return message as Record<string, unknown>;
}
