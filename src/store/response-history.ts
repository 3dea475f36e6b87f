/**
 * What the Responses route needs from the store, in one place:
 * - `resolveInput`: the items to translate for a request — with
 *   `previous_response_id`, the whole stored chain (every turn's input and
 *   output) before the new input; and reasoning restored for tool calls whose
 *   reasoning the client dropped;
 * - `record`: stores a finished response unless the request said `store: false`.
 *   A failed write is logged and counted and never reaches the client.
 */
import { invalidRequest, RelayError } from '../errors.js';
import type { Logger } from '../log.js';
import { outputAsInputItems } from '../translate/output-items.js';
import type { InputItem, ResponsesRequest } from '../translate/request/responses-schema.js';
import type { ResponseObject } from '../translate/stream/response-object.js';
import { callKeysMissingReasoning, restoreReasoning } from './reasoning-recovery.js';
import { isResponseId, StoredRecordError, toStoredInputItems } from './stored-items.js';
import { type ResponseStore, StoreUnavailableError } from './types.js';

/** What recording a response that is not stored does. */
const NOT_STORED = (): Promise<void> => Promise.resolve();

/** Seconds a client is told to wait while the store is unreachable (about one reconnection attempt). */
const STORE_RETRY_AFTER_SECONDS = 2;

export interface ResponseHistoryOptions {
  store: ResponseStore;
  logger: Logger;
  createId: (prefix: string) => string;
  /** Milliseconds since the epoch. */
  now: () => number;
}

/** Counters for metrics. */
export interface StoreCounters {
  /** Responses written. */
  writes: number;
  /** Writes that failed (the client still got its response). */
  writeFailures: number;
  /** Lookups of stored reasoning that failed (the request went on without it). */
  readFailures: number;
}

export class ResponseHistory {
  readonly store: ResponseStore;
  readonly counters: StoreCounters = { writes: 0, writeFailures: 0, readFailures: 0 };
  private readonly options: ResponseHistoryOptions;
  /** Writes in flight by response id: a continuation that arrives first waits for its parent. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(options: ResponseHistoryOptions) {
    this.options = options;
    this.store = options.store;
  }

  /**
   * The input items to translate. `instructionItems` leading items of
   * `request.input` came from an `instructions` array: they stay first and
   * are never inherited by later turns.
   */
  async resolveInput(
    request: ResponsesRequest,
    instructionItems: number,
    log: Logger = this.options.logger,
  ): Promise<InputItem[]> {
    let items = request.input;
    const previousId = request.previous_response_id;
    if (typeof previousId === 'string') {
      const history = await this.rebuild(previousId, log);
      items = [...items.slice(0, instructionItems), ...history, ...items.slice(instructionItems)];
    }
    return this.withRecoveredReasoning(items, log);
  }

  /**
   * Stores a finished response (completed or incomplete) unless the request
   * opted out; `log` is the request's logger. Resolves (never rejects) once the
   * write is durable or has failed: the caller holds the response's last event
   * until then, so the next turn finds it on any relay sharing the store.
   */
  record(
    request: ResponsesRequest,
    instructionItems: number,
    response: ResponseObject,
    log: Logger = this.options.logger,
  ): Promise<void> {
    return this.recorder(request, instructionItems)(response, log);
  }

  /**
   * `record` for this request, made before its response is: it keeps the
   * request only when the response will be stored. A streamed turn holds it
   * until its end, and most turns are not stored (Codex sends `store: false`):
   * their request, tens of KB of parsed items, can then die young while the
   * answer streams instead of being copied by collections and promoted.
   */
  recorder(
    request: ResponsesRequest,
    instructionItems: number,
  ): (response: ResponseObject, log?: Logger) => Promise<void> {
    // A function made here would share this call's closure context, and with it `request`.
    if (request.store === false) return NOT_STORED;
    return (response, log) => this.recordResponse(request, instructionItems, response, log ?? this.options.logger);
  }

  private recordResponse(
    request: ResponsesRequest,
    instructionItems: number,
    response: ResponseObject,
    log: Logger,
  ): Promise<void> {
    if (response.status !== 'completed' && response.status !== 'incomplete') return Promise.resolve();
    const id = response.id;
    const write = this.write(request, instructionItems, response).then(
      () => {
        this.counters.writes++;
      },
      (error: unknown) => {
        this.counters.writeFailures++;
        log.error(
          { err: error, responseId: id, store: this.store.kind },
          'session store write failed; the response was delivered but cannot be continued or retrieved',
        );
      },
    );
    this.pending.set(id, write);
    void write.finally(() => {
      if (this.pending.get(id) === write) this.pending.delete(id);
    });
    return write;
  }

  /** Waits for a response's write if it is still in flight (GET/DELETE right after a response ended). */
  async settled(id: string): Promise<void> {
    await this.pending.get(id);
  }

  /** Waits for every write in flight. */
  async close(): Promise<void> {
    await Promise.all(this.pending.values());
  }

  private async write(request: ResponsesRequest, instructionItems: number, response: ResponseObject): Promise<void> {
    const input = toStoredInputItems(request.input.slice(instructionItems), this.options.createId);
    const output = outputAsInputItems(response.output);
    await this.store.save({
      id: response.id,
      previousResponseId: response.previous_response_id,
      input,
      output,
      // `output` is stored once, above; the empty list keeps the field's place in the object.
      response: { ...response, output: [] },
      createdAt: this.options.now(),
    });
  }

  private async rebuild(previousId: string, log: Logger): Promise<InputItem[]> {
    if (!isResponseId(previousId)) {
      throw invalidRequest(
        `Invalid 'previous_response_id': '${previousId.slice(0, 100)}'. Expected an ID that begins with 'resp_' followed by letters, digits, '_' or '-'.`,
        'previous_response_id',
        'invalid_value',
      );
    }
    await this.pending.get(previousId);
    let lookup;
    try {
      lookup = await this.store.chain(previousId);
    } catch (error) {
      log.error({ err: error, previousResponseId: previousId }, 'session store read failed');
      throw storeFailure(error, 'The session store could not be read, so the previous response cannot be continued.');
    }
    switch (lookup.status) {
      case 'found':
        return lookup.turns.flatMap((turn) => [...turn.input, ...turn.output]);
      case 'missing':
        throw previousResponseNotFound(`Previous response with id '${previousId}' not found.`);
      case 'broken':
        throw previousResponseNotFound(
          `Previous response with id '${previousId}' cannot be continued: the earlier response '${lookup.missingId}' in its conversation was deleted or has expired.`,
        );
      default: {
        const exhaustive: never = lookup;
        throw new Error(`unknown chain lookup ${JSON.stringify(exhaustive)}`);
      }
    }
  }

  private async withRecoveredReasoning(items: InputItem[], log: Logger): Promise<InputItem[]> {
    if (!this.store.mayHoldReasoning()) return items;
    const keys = callKeysMissingReasoning(items);
    if (keys.length === 0) return items;
    try {
      const found = await this.store.reasoningForCalls(keys);
      return found.size === 0 ? items : restoreReasoning(items, found);
    } catch (error) {
      // The request can still go ahead; the upstream may accept it without the reasoning.
      this.counters.readFailures++;
      log.warn({ err: error }, 'session store lookup of stored reasoning failed');
      return items;
    }
  }
}

/**
 * The client's error for a store that failed: 503 with Retry-After while a
 * networked store is unreachable (it will come back), a 500 naming the record
 * when a stored response does not parse, else 500.
 */
export function storeFailure(error: unknown, message: string): RelayError {
  if (error instanceof StoredRecordError) {
    return new RelayError(`${message} ${error.message}`, {
      status: 500,
      type: 'server_error',
      code: 'stored_response_invalid',
      cause: error,
    });
  }
  if (error instanceof StoreUnavailableError) {
    return new RelayError(`${message} It is unreachable at the moment; retry shortly.`, {
      status: 503,
      type: 'server_error',
      code: 'store_unavailable',
      retryAfterSeconds: STORE_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  return new RelayError(message, { status: 500, type: 'server_error', code: 'store_unavailable', cause: error });
}

function previousResponseNotFound(message: string): RelayError {
  return new RelayError(message, {
    status: 404,
    type: 'invalid_request_error',
    code: 'previous_response_not_found',
    param: 'previous_response_id',
  });
}
