/**
 * The ordering rules strict Responses clients enforce (openai-node's stream
 * accumulator throws on most of these; Codex relies on the rest), checked one
 * event at a time so a live stream can be followed:
 *
 * - `response.created` first, with `sequence_number` 0; then +1 per event.
 * - `output_item.added` at `output_index` = the number of items added so far,
 *   before any event that refers to the item.
 * - Delta and part events refer to an added item that is not done yet, with
 *   the item's id, and to content/summary parts that were added (at the next
 *   index) and are not done; each delta kind fits its item and part type.
 * - `.done` events repeat what the deltas built; `output_item.done` matches its
 *   `.added` (id, type) after all its parts are done.
 * - `response.created`/`in_progress` snapshots show exactly what was emitted
 *   so far (heartbeats must not lose or invent output).
 * - Exactly one terminal event (`response.completed`, `.incomplete`, `.failed`)
 *   and nothing after it; its `output` is exactly the done items, in order.
 *
 * A `.done` value may arrive whole without deltas; when deltas were streamed,
 * they must add up to it.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  clip,
  doneMismatch,
  type ItemState,
  type Json,
  type PartState,
  partText,
  progressMismatch,
} from './stream-items.js';

const TERMINAL_STATUS: Record<string, string> = {
  'response.completed': 'completed',
  'response.incomplete': 'incomplete',
  'response.failed': 'failed',
};

/** Follows one stream; `push` each event, then `end`. Violations accumulate in `violations`. */
export class StreamRuleChecker {
  readonly violations: string[] = [];
  private count = 0;
  private lastSequence: number | undefined;
  private responseId: string | undefined;
  private terminal: string | undefined;
  private readonly items: ItemState[] = [];

  /** Checks the next event of the stream. */
  push(event: Json): void {
    const position = this.count++;
    const label = `#${position} ${String(event?.type)}`;
    const fail = (message: string): void => {
      this.violations.push(`${label}: ${message}`);
    };
    if (event === null || typeof event !== 'object' || typeof event.type !== 'string')
      return fail('not an event object with a type');

    this.checkSequence(event, position, fail);
    if (this.terminal !== undefined) return fail(`arrives after the terminal ${this.terminal}`);
    if (position === 0 && event.type !== 'response.created') fail('the first event must be response.created');

    switch (event.type) {
      case 'response.created':
        if (position !== 0) return fail('response.created may only be the first event');
        this.responseId = event.response?.id;
        return this.checkSnapshot(event, fail);
      case 'response.in_progress':
        return this.checkSnapshot(event, fail);
      case 'response.output_item.added':
        return this.onItemAdded(event, fail);
      case 'response.output_item.done':
        return this.onItemDone(event, fail);
      case 'response.content_part.added':
        return this.onPartAdded(event, 'content', fail);
      case 'response.reasoning_summary_part.added':
        return this.onPartAdded(event, 'summary', fail);
      case 'response.content_part.done':
        return this.onPartDone(event, 'content', fail);
      case 'response.reasoning_summary_part.done':
        return this.onPartDone(event, 'summary', fail);
      case 'response.output_text.delta':
        return this.onTextDelta(event, 'content', 'message', 'output_text', fail);
      case 'response.refusal.delta':
        return this.onTextDelta(event, 'content', 'message', 'refusal', fail);
      case 'response.reasoning_text.delta':
        return this.onTextDelta(event, 'content', 'reasoning', 'reasoning_text', fail);
      case 'response.reasoning_summary_text.delta':
        return this.onTextDelta(event, 'summary', 'reasoning', 'summary_text', fail);
      case 'response.output_text.done':
        return this.onTextDone(event, 'content', 'message', 'output_text', event.text, fail);
      case 'response.refusal.done':
        return this.onTextDone(event, 'content', 'message', 'refusal', event.refusal, fail);
      case 'response.reasoning_text.done':
        return this.onTextDone(event, 'content', 'reasoning', 'reasoning_text', event.text, fail);
      case 'response.reasoning_summary_text.done':
        return this.onTextDone(event, 'summary', 'reasoning', 'summary_text', event.text, fail);
      case 'response.function_call_arguments.delta':
        return this.onInputDelta(event, 'function_call', fail);
      case 'response.custom_tool_call_input.delta':
        return this.onInputDelta(event, 'custom_tool_call', fail);
      case 'response.function_call_arguments.done':
        return this.onInputDone(event, 'function_call', event.arguments, fail);
      case 'response.custom_tool_call_input.done':
        return this.onInputDone(event, 'custom_tool_call', event.input, fail);
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        return this.onTerminal(event, fail);
      case 'error':
        return fail('an `error` event makes openai-node throw; failures must be reported as response.failed');
      default:
        if (typeof event.output_index === 'number') this.openItem(event, undefined, fail);
        return;
    }
  }

  /** The stream is over; `aborted` when the client left before the end. */
  end(options: { aborted?: boolean } = {}): void {
    if (options.aborted) return;
    if (this.count === 0) this.violations.push('the stream carried no events');
    else if (this.terminal === undefined)
      this.violations.push('the stream ended without response.completed, response.incomplete or response.failed');
  }

  // ---- checks ---------------------------------------------------------------------------

  private checkSequence(event: Json, position: number, fail: (message: string) => void): void {
    const sequence = event.sequence_number;
    if (!Number.isInteger(sequence)) return void fail('sequence_number is not an integer');
    const expected = position === 0 ? 0 : (this.lastSequence ?? -1) + 1;
    if (sequence !== expected) fail(`sequence_number ${sequence}, expected ${expected}`);
    this.lastSequence = sequence;
  }

  private checkSnapshot(event: Json, fail: (message: string) => void): void {
    const response = event.response;
    if (response?.id !== this.responseId)
      fail(
        `response.id ${JSON.stringify(response?.id)} differs from response.created's ${JSON.stringify(this.responseId)}`,
      );
    if (response?.status !== 'in_progress')
      fail(`response.status is ${JSON.stringify(response?.status)}, expected "in_progress"`);
    const output: unknown[] = Array.isArray(response?.output) ? response.output : [];
    if (output.length !== this.items.length)
      fail(`response.output has ${output.length} items but ${this.items.length} were added`);
    this.items.forEach((item, index) => {
      const shown = output[index] as Json | undefined;
      if (!shown) return;
      if (item.done) {
        if (!isDeepStrictEqual(shown, item.done)) fail(`response.output[${index}] differs from its output_item.done`);
        return;
      }
      if (shown.id !== item.id || shown.type !== item.type)
        return fail(`response.output[${index}] is ${shown.type} ${shown.id}, not the added ${item.type} ${item.id}`);
      const progress = progressMismatch(item, shown);
      if (progress) fail(`response.output[${index}] ${progress}`);
    });
  }

  private onItemAdded(event: Json, fail: (message: string) => void): void {
    const item = event.item as Json | undefined;
    if (event.output_index !== this.items.length)
      fail(`output_index ${event.output_index}, expected the next index ${this.items.length}`);
    if (typeof item?.id !== 'string' || item.id === '') fail('the added item has no id');
    if (this.items.some((known) => known.id === item?.id)) fail(`item id ${item?.id} is used twice`);
    this.items.push({
      outputIndex: this.items.length,
      id: String(item?.id),
      type: String(item?.type),
      content: [],
      summary: [],
      input: '',
      inputStreamed: false,
      inputDone: false,
      done: undefined,
    });
  }

  private onItemDone(event: Json, fail: (message: string) => void): void {
    const item = this.openItem(event, undefined, fail);
    if (!item) return;
    const done = event.item as Json | undefined;
    if (done?.id !== item.id || done?.type !== item.type)
      fail(`done item is ${done?.type} ${done?.id}, but ${item.type} ${item.id} was added`);
    for (const [kind, parts] of [
      ['content', item.content],
      ['summary', item.summary],
    ] as const) {
      parts.forEach((part, index) => {
        if (!part.done) fail(`${kind} part ${index} is still open`);
      });
    }
    const mismatch = doneMismatch(item, done ?? {});
    if (mismatch) fail(mismatch);
    item.done = done ?? {};
  }

  private onPartAdded(event: Json, kind: 'content' | 'summary', fail: (message: string) => void): void {
    const item = this.openItem(event, kind === 'summary' ? 'reasoning' : undefined, fail);
    if (!item) return;
    const parts = item[kind];
    const index = kind === 'content' ? event.content_index : event.summary_index;
    if (index !== parts.length) return fail(`${kind} index ${index}, expected the next index ${parts.length}`);
    const type = String(event.part?.type);
    const allowed =
      item.type === 'message'
        ? ['output_text', 'refusal']
        : item.type === 'reasoning'
          ? kind === 'summary'
            ? ['summary_text']
            : ['reasoning_text']
          : [];
    if (!allowed.includes(type)) fail(`a ${type} part cannot belong to a ${item.type} item`);
    parts.push({ type, text: partText(event.part), streamed: false, textDone: false, done: false });
  }

  private onPartDone(event: Json, kind: 'content' | 'summary', fail: (message: string) => void): void {
    const part = this.openPart(event, kind, undefined, fail);
    if (!part) return;
    if (event.part?.type !== part.type) fail(`part type ${event.part?.type}, but ${part.type} was added`);
    if (partText(event.part) !== part.text)
      fail(`part text differs from the text streamed (${JSON.stringify(clip(part.text))})`);
    part.done = true;
  }

  private onTextDelta(
    event: Json,
    kind: 'content' | 'summary',
    itemType: string,
    partType: string,
    fail: (message: string) => void,
  ): void {
    const part = this.openPart(event, kind, itemType, fail, partType);
    if (!part) return;
    if (part.textDone) return fail('delta after the text was done');
    part.text += String(event.delta);
    part.streamed = true;
  }

  private onTextDone(
    event: Json,
    kind: 'content' | 'summary',
    itemType: string,
    partType: string,
    text: unknown,
    fail: (message: string) => void,
  ): void {
    const part = this.openPart(event, kind, itemType, fail, partType);
    if (!part) return;
    if (part.textDone) return fail('text done twice');
    if (part.streamed && text !== part.text)
      fail(`text ${JSON.stringify(clip(String(text)))} differs from the deltas ${JSON.stringify(clip(part.text))}`);
    if (!part.streamed && typeof text === 'string') part.text = text;
    part.textDone = true;
  }

  private onInputDelta(event: Json, itemType: string, fail: (message: string) => void): void {
    const item = this.openItem(event, itemType, fail);
    if (!item) return;
    if (item.inputDone) return fail('delta after the input was done');
    item.input += String(event.delta);
    item.inputStreamed = true;
  }

  private onInputDone(event: Json, itemType: string, value: unknown, fail: (message: string) => void): void {
    const item = this.openItem(event, itemType, fail);
    if (!item) return;
    if (item.inputDone) return fail('input done twice');
    if (item.inputStreamed && value !== item.input)
      fail(`${JSON.stringify(clip(String(value)))} differs from the deltas ${JSON.stringify(clip(item.input))}`);
    if (!item.inputStreamed && typeof value === 'string') item.input = value;
    item.inputDone = true;
  }

  private onTerminal(event: Json, fail: (message: string) => void): void {
    this.terminal = event.type;
    const response = event.response as Json | undefined;
    if (response?.id !== this.responseId)
      fail(`response.id ${JSON.stringify(response?.id)} differs from response.created's`);
    if (response?.status !== TERMINAL_STATUS[event.type])
      fail(`response.status is ${JSON.stringify(response?.status)}`);
    if (event.type !== 'response.failed') {
      for (const item of this.items)
        if (!item.done) fail(`item ${item.outputIndex} (${item.type} ${item.id}) was added but never done`);
    }
    const expected = this.items.filter((item) => item.done).map((item) => item.done);
    const output = Array.isArray(response?.output) ? response.output : undefined;
    if (!output) return fail('response.output is missing');
    if (output.length !== expected.length)
      return fail(`response.output has ${output.length} items, but ${expected.length} were done`);
    output.forEach((item: unknown, index: number) => {
      if (!isDeepStrictEqual(item, expected[index]))
        fail(`response.output[${index}] differs from the item in its output_item.done`);
    });
  }

  // ---- lookups --------------------------------------------------------------------------

  /** The added, not yet done item an event refers to (by output_index, checked against item_id). */
  private openItem(event: Json, itemType: string | undefined, fail: (message: string) => void): ItemState | undefined {
    const item = this.items[event.output_index];
    if (!item) return void fail(`refers to output_index ${event.output_index}, which was never added`);
    if (item.done) return void fail(`refers to item ${item.outputIndex}, which is already done`);
    if ('item_id' in event && event.item_id !== item.id)
      fail(`item_id ${event.item_id} is not the id of item ${item.outputIndex} (${item.id})`);
    if (itemType !== undefined && item.type !== itemType)
      return void fail(`refers to a ${item.type} item, expected ${itemType}`);
    return item;
  }

  private openPart(
    event: Json,
    kind: 'content' | 'summary',
    itemType: string | undefined,
    fail: (message: string) => void,
    partType?: string,
  ): PartState | undefined {
    const item = this.openItem(event, itemType, fail);
    if (!item) return undefined;
    const index = kind === 'content' ? event.content_index : event.summary_index;
    const part = item[kind][index];
    if (!part) return void fail(`refers to ${kind} part ${index}, which was never added`);
    if (part.done) return void fail(`refers to ${kind} part ${index}, which is already done`);
    if (partType !== undefined && part.type !== partType)
      return void fail(`refers to a ${part.type} part, expected ${partType}`);
    return part;
  }
}
