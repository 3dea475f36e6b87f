/**
 * What the item builders share: the events of the current step, sequence
 * numbers, output indices, the items by output index, and the response state
 * (status, error, usage) the Response snapshot is built from. Pure.
 */
import { toResponsesUsage, type Usage } from '../usage.js';
import {
  buildResponseObject,
  type OutputItem,
  type ResponseEcho,
  type ResponseError,
  type ResponseObject,
  type ResponseStatus,
} from './response-object.js';
import type { ResponseStreamEvent, SnapshotEventType } from './stream-events.js';

/** An item still streaming: what a snapshot shows of it so far. */
export interface OpenItem {
  view(): OutputItem;
}

interface ItemEntry {
  open: OpenItem;
  done: OutputItem | undefined;
}

/** How the response ended; absent while it streams. */
export interface ResponseEnding {
  status: Exclude<ResponseStatus, 'in_progress'>;
  /** Unix seconds. */
  completedAt: number;
  error?: ResponseError;
  incompleteReason?: string;
}

export class StreamCoordinator {
  private events: ResponseStreamEvent[] = [];
  private sequence = 0;
  private readonly items: ItemEntry[] = [];
  private usage: Usage | undefined;
  private ending: ResponseEnding | undefined;
  private readonly response: { id: string; createdAt: number; echo: ResponseEcho };

  constructor(response: { id: string; createdAt: number; echo: ResponseEcho }) {
    this.response = response;
  }

  /** Starts a step (one call of the state machine): the events emitted until the next step go into the array returned. */
  beginStep(): ResponseStreamEvent[] {
    this.events = [];
    return this.events;
  }

  /** The sequence number of the event being built; call it inside the event literal handed to emit. */
  nextSequence(): number {
    return this.sequence++;
  }

  emit(event: ResponseStreamEvent): void {
    this.events.push(event);
  }

  /** Gives a new item the next output index. */
  addItem(open: OpenItem): number {
    return this.items.push({ open, done: undefined }) - 1;
  }

  /** Records an item's final form and emits its `output_item.done`. */
  completeItem(outputIndex: number, item: OutputItem): void {
    this.items[outputIndex]!.done = item;
    this.emit({
      type: 'response.output_item.done',
      sequence_number: this.nextSequence(),
      output_index: outputIndex,
      item,
    });
  }

  get hasOutput(): boolean {
    return this.items.length > 0;
  }

  setUsage(usage: Usage): void {
    this.usage = usage;
  }

  /** Ends the response; later snapshots are final (only items that were done, usage included). */
  end(ending: ResponseEnding): void {
    this.ending = ending;
  }

  /** The snapshot event for the response as it stands. */
  emitSnapshot(type: SnapshotEventType, response = this.snapshot()): void {
    this.emit({ type, sequence_number: this.nextSequence(), response });
  }

  /** The Response object as it stands: items in progress as far as they have got, or, once ended, the items that were completed. */
  snapshot(): ResponseObject {
    const ending = this.ending;
    const output: OutputItem[] = [];
    for (const entry of this.items) {
      if (entry.done !== undefined) output.push(entry.done);
      else if (ending === undefined) output.push(entry.open.view());
    }
    return buildResponseObject(
      {
        id: this.response.id,
        createdAt: this.response.createdAt,
        status: ending?.status ?? 'in_progress',
        completedAt: ending?.completedAt ?? null,
        error: ending?.error ?? null,
        incompleteReason: ending?.incompleteReason ?? null,
        output,
        usage: this.usage && ending ? toResponsesUsage(this.usage) : null,
      },
      this.response.echo,
    );
  }
}
