/**
 * What every item builder shares: its id and the output index the
 * coordinator gave it when it was added. A builder owns the events of its
 * item (added, deltas, done) and shows snapshots how far it has got.
 */
import type { OutputItem } from '../response-object.js';
import type { OpenItem, StreamCoordinator } from '../stream-coordinator.js';

export abstract class ItemBuilder implements OpenItem {
  readonly outputIndex: number;

  protected constructor(
    protected readonly stream: StreamCoordinator,
    readonly id: string,
  ) {
    this.outputIndex = stream.addItem(this);
  }

  /** The item as far as it has got (for snapshots while it streams). */
  abstract view(): OutputItem;
}
