/**
 * The responses of one WebSocket connection, by id, with the conversation
 * each one ends (its input items and output items, the earlier turns' first).
 * Codex continues its own connection's responses with `previous_response_id`
 * and `store: false`, so this is kept whatever `store` says. Bounded: past
 * `maxResponses` the oldest is dropped, and a later reference to it is
 * answered with `previous_response_not_found` (Codex then resends the whole
 * history). Each response also keeps the translation of its turn's input, so
 * the next turn translates only what is new.
 */
import type { InputTranslation } from '../../translate/request/incremental-input.js';
import type { InputItem } from '../../translate/request/responses-schema.js';

/** A response of the connection: its conversation, and its input's translation when there is one to extend. */
export interface ChainEntry {
  items: readonly InputItem[];
  translation: InputTranslation | undefined;
}

export class ConnectionChain {
  private readonly responses = new Map<string, ChainEntry>();
  private readonly maxResponses: number;

  constructor(maxResponses: number) {
    this.maxResponses = maxResponses;
  }

  /** The conversation up to and including response `id`, if this connection still holds it. */
  get(id: string): ChainEntry | undefined {
    return this.responses.get(id);
  }

  /** Keeps the conversation a response ends; drops the oldest past the cap. */
  set(id: string, items: readonly InputItem[], translation?: InputTranslation): void {
    this.responses.delete(id);
    this.responses.set(id, { items, translation });
    while (this.responses.size > this.maxResponses) {
      const oldest = this.responses.keys().next().value as string;
      this.responses.delete(oldest);
    }
  }

  get size(): number {
    return this.responses.size;
  }
}
