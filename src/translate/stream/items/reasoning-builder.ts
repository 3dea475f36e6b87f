/**
 * A reasoning item as it streams. Its text goes out twice, as the summary
 * (which Codex shows) and as reasoning text; both parts are added with the
 * first text. Opaque provider data (reasoning_details) is collected and, when
 * the item closes, carried in `encrypted_content`. Reasoning data that
 * arrives after its item closed becomes one late reasoning item at the end.
 */
import { encodeReasoningEnvelope } from '../../reasoning-envelope.js';
import { accumulateReasoningDetails } from '../reasoning-reader.js';
import type { ItemStatus, ReasoningOutputItem } from '../response-object.js';
import type { StreamCoordinator } from '../stream-coordinator.js';
import { ItemBuilder } from './item-builder.js';

export class ReasoningBuilder extends ItemBuilder {
  readonly kind = 'reasoning';
  private text = '';
  private textStarted = false;
  private readonly details: Array<Record<string, unknown>> = [];

  /** Adds an empty reasoning item. */
  static open(stream: StreamCoordinator, id: string): ReasoningBuilder {
    const builder = new ReasoningBuilder(stream, id);
    stream.emit({
      type: 'response.output_item.added',
      sequence_number: stream.nextSequence(),
      output_index: builder.outputIndex,
      item: { type: 'reasoning', id, summary: [], content: [], encrypted_content: null, status: 'in_progress' },
    });
    return builder;
  }

  /** Appends text (may be empty) and opaque details (may be absent). */
  append(text: string, details: unknown[] | undefined): void {
    if (details) accumulateReasoningDetails(this.details, details);
    if (text === '') return;
    const { stream, id, outputIndex } = this;
    if (!this.textStarted) {
      this.textStarted = true;
      stream.emit({
        type: 'response.reasoning_summary_part.added',
        sequence_number: stream.nextSequence(),
        item_id: id,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
      stream.emit({
        type: 'response.content_part.added',
        sequence_number: stream.nextSequence(),
        item_id: id,
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'reasoning_text', text: '' },
      });
    }
    this.text += text;
    stream.emit({
      type: 'response.reasoning_summary_text.delta',
      sequence_number: stream.nextSequence(),
      item_id: id,
      output_index: outputIndex,
      summary_index: 0,
      delta: text,
    });
    stream.emit({
      type: 'response.reasoning_text.delta',
      sequence_number: stream.nextSequence(),
      item_id: id,
      output_index: outputIndex,
      content_index: 0,
      delta: text,
    });
  }

  close(status: ItemStatus): void {
    const { stream, id, outputIndex, text } = this;
    if (this.textStarted) {
      stream.emit({
        type: 'response.reasoning_text.done',
        sequence_number: stream.nextSequence(),
        item_id: id,
        output_index: outputIndex,
        content_index: 0,
        text,
      });
      stream.emit({
        type: 'response.content_part.done',
        sequence_number: stream.nextSequence(),
        item_id: id,
        output_index: outputIndex,
        content_index: 0,
        part: { type: 'reasoning_text', text },
      });
      stream.emit({
        type: 'response.reasoning_summary_text.done',
        sequence_number: stream.nextSequence(),
        item_id: id,
        output_index: outputIndex,
        summary_index: 0,
        text,
      });
      stream.emit({
        type: 'response.reasoning_summary_part.done',
        sequence_number: stream.nextSequence(),
        item_id: id,
        output_index: outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text },
      });
    }
    stream.completeItem(outputIndex, {
      ...this.textView(),
      encrypted_content: encodeReasoningEnvelope({ details: this.details }),
      status,
    });
  }

  view(): ReasoningOutputItem {
    return { ...this.textView(), encrypted_content: null, status: 'in_progress' };
  }

  private textView(): Pick<ReasoningOutputItem, 'type' | 'id' | 'summary' | 'content'> {
    return {
      type: 'reasoning',
      id: this.id,
      summary: this.textStarted ? [{ type: 'summary_text', text: this.text }] : [],
      content: this.textStarted ? [{ type: 'reasoning_text', text: this.text }] : [],
    };
  }
}

/**
 * Opaque reasoning that came after its item closed (details with no text,
 * thought signatures of tool calls): one reasoning item, added and done at
 * once, carrying them in `encrypted_content`.
 */
export function emitLateReasoning(stream: StreamCoordinator, id: string, envelope: string): void {
  const item: ReasoningOutputItem = {
    type: 'reasoning',
    id,
    summary: [],
    content: [],
    encrypted_content: envelope,
    status: 'completed',
  };
  const outputIndex = stream.addItem({ view: () => ({ ...item, status: 'in_progress' }) });
  stream.emit({
    type: 'response.output_item.added',
    sequence_number: stream.nextSequence(),
    output_index: outputIndex,
    item: { ...item, encrypted_content: null, status: 'in_progress' },
  });
  stream.completeItem(outputIndex, item);
}
