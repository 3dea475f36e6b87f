/**
 * The responses of one WebSocket connection, by id, with the conversation
 * each one ends (its input items and output items, the earlier turns' first).
 * Codex continues its own connection's responses with `previous_response_id`
 * and `store: false`, so this is kept whatever `store` says. Bounded: past
 * `maxResponses` the oldest is dropped, and a later reference to it is
 * answered with `previous_response_not_found` (Codex then resends the whole
 * history).
 */
import type { InputItem } from '../../translate/request/responses-schema.js';

export class ConnectionChain {
  private readonly responses = new Map<string, readonly InputItem[]>();
  private readonly maxResponses: number;

  constructor(maxResponses: number) {
    this.maxResponses = maxResponses;
  }

  /** The conversation up to and including response `id`, if this connection still holds it. */
  get(id: string): readonly InputItem[] | undefined {
    return this.responses.get(id);
  }

  /** Keeps the conversation a response ends; drops the oldest past the cap. */
  set(id: string, items: readonly InputItem[]): void {
    this.responses.delete(id);
    this.responses.set(id, items);
    while (this.responses.size > this.maxResponses) {
      const oldest = this.responses.keys().next().value as string;
      this.responses.delete(oldest);
    }
  }

  get size(): number {
    return this.responses.size;
  }
}
