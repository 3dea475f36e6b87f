/**
 * An assistant message as it streams: `output_item.added` and its one
 * `output_text` part, text deltas, then the text, part and item done.
 */
import type { ItemStatus, MessageOutputItem, OutputTextPart } from '../response-object.js';
import type { StreamCoordinator } from '../stream-coordinator.js';
import { ItemBuilder } from './item-builder.js';

export class MessageBuilder extends ItemBuilder {
  readonly kind = 'message';
  private text = '';

  /** Adds the message and its empty text part. */
  static open(stream: StreamCoordinator, id: string): MessageBuilder {
    const builder = new MessageBuilder(stream, id);
    const { outputIndex } = builder;
    stream.emit({
      type: 'response.output_item.added',
      sequence_number: stream.nextSequence(),
      output_index: outputIndex,
      item: { type: 'message', id, status: 'in_progress', role: 'assistant', content: [] },
    });
    stream.emit({
      type: 'response.content_part.added',
      sequence_number: stream.nextSequence(),
      item_id: id,
      output_index: outputIndex,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    });
    return builder;
  }

  append(text: string): void {
    this.text += text;
    this.stream.emit({
      type: 'response.output_text.delta',
      sequence_number: this.stream.nextSequence(),
      item_id: this.id,
      output_index: this.outputIndex,
      content_index: 0,
      delta: text,
      logprobs: [],
    });
  }

  close(status: ItemStatus): void {
    const { stream, id, outputIndex, text } = this;
    const part: OutputTextPart = { type: 'output_text', text, annotations: [], logprobs: [] };
    stream.emit({
      type: 'response.output_text.done',
      sequence_number: stream.nextSequence(),
      item_id: id,
      output_index: outputIndex,
      content_index: 0,
      text,
      logprobs: [],
    });
    stream.emit({
      type: 'response.content_part.done',
      sequence_number: stream.nextSequence(),
      item_id: id,
      output_index: outputIndex,
      content_index: 0,
      part,
    });
    stream.completeItem(outputIndex, { type: 'message', id, status, role: 'assistant', content: [part] });
  }

  view(): MessageOutputItem {
    return {
      type: 'message',
      id: this.id,
      status: 'in_progress',
      role: 'assistant',
      content: [{ type: 'output_text', text: this.text, annotations: [], logprobs: [] }],
    };
  }
}
