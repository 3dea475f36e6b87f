/**
 * Tool calls as they stream, one builder per item kind: a function call
 * (argument deltas), a freeform tool call (the raw input decoded out of the
 * JSON the model wrote, as input deltas) and a client-side tool_search call
 * (no deltas; its arguments are parsed when it closes). Each owns its
 * `output_item.added`, deltas and done events, and keeps the raw argument
 * text so the stream can tell when it is whole.
 */
import { CUSTOM_TOOL_INPUT_FIELD } from '../../request/convert-tools.js';
import type { ToolTarget } from '../../tool-names.js';
import { JsonStringFieldDecoder } from '../json-string-field-decoder.js';
import type {
  CustomToolCallOutputItem,
  FunctionCallOutputItem,
  ItemStatus,
  OutputItem,
  ToolSearchCallOutputItem,
} from '../response-object.js';
import type { OpenItem, StreamCoordinator } from '../stream-coordinator.js';
import { isWholeJson } from '../tool-calls.js';
import { ItemBuilder } from './item-builder.js';

/** One announced tool call. */
export interface ToolCallBuilder extends OpenItem {
  readonly callId: string;
  /** The argument text received so far, as the model wrote it. */
  readonly arguments: string;
  append(piece: string): void;
  close(status: ItemStatus): void;
  /** Whether the arguments so far are whole (a longer stream could not still extend them). */
  argumentsComplete(): boolean;
}

/** The item id prefix of each kind of call. */
export type ToolCallIdPrefix = 'fc' | 'ctc' | 'tsc';

/** Announces a call to `target` (`output_item.added`) and returns its builder. */
export function openToolCall(
  stream: StreamCoordinator,
  target: ToolTarget,
  callId: string,
  createId: (prefix: ToolCallIdPrefix) => string,
): ToolCallBuilder {
  const builder =
    target.kind === 'custom'
      ? new CustomToolCallBuilder(stream, target, callId, createId('ctc'))
      : target.kind === 'tool_search'
        ? new ToolSearchCallBuilder(stream, target, callId, createId('tsc'))
        : new FunctionCallBuilder(stream, target, callId, createId('fc'));
  stream.emit({
    type: 'response.output_item.added',
    sequence_number: stream.nextSequence(),
    output_index: builder.outputIndex,
    item: builder.view(),
  });
  return builder;
}

abstract class ToolCallItemBuilder<Item extends OutputItem> extends ItemBuilder implements ToolCallBuilder {
  arguments = '';

  constructor(
    stream: StreamCoordinator,
    protected readonly target: ToolTarget,
    readonly callId: string,
    id: string,
  ) {
    super(stream, id);
  }

  abstract append(piece: string): void;
  /** The item: as far as it has got while in progress, whole when done. */
  protected abstract item(status: ItemStatus): Item;
  /** The events that end the call's input, before `output_item.done`. */
  protected abstract emitInputDone(item: Item): void;

  view(): Item {
    return this.item('in_progress');
  }

  close(status: ItemStatus): void {
    const item = this.item(status);
    this.emitInputDone(item);
    this.stream.completeItem(this.outputIndex, item);
  }

  argumentsComplete(): boolean {
    return isWholeJson(this.arguments);
  }
}

class FunctionCallBuilder extends ToolCallItemBuilder<FunctionCallOutputItem> {
  append(piece: string): void {
    this.arguments += piece;
    this.stream.emit({
      type: 'response.function_call_arguments.delta',
      sequence_number: this.stream.nextSequence(),
      item_id: this.id,
      output_index: this.outputIndex,
      delta: piece,
    });
  }

  protected item(status: ItemStatus): FunctionCallOutputItem {
    const { target } = this;
    const namespace = target.namespace !== undefined ? { namespace: target.namespace } : {};
    // An empty list says no argument is encrypted (Codex would otherwise take marked fields as ciphertext).
    const plaintext = target.plaintextArguments ? { encrypted_function_args: [] } : {};
    const argumentText = status === 'in_progress' ? this.arguments : functionArguments(this.arguments);
    return {
      type: 'function_call',
      id: this.id,
      call_id: this.callId,
      name: target.name,
      ...namespace,
      arguments: argumentText,
      ...plaintext,
      status,
    };
  }

  protected emitInputDone(item: FunctionCallOutputItem): void {
    const { stream } = this;
    stream.emit({
      type: 'response.function_call_arguments.done',
      sequence_number: stream.nextSequence(),
      item_id: this.id,
      output_index: this.outputIndex,
      name: item.name,
      arguments: item.arguments,
    });
  }
}

class CustomToolCallBuilder extends ToolCallItemBuilder<CustomToolCallOutputItem> {
  private readonly decoder = new JsonStringFieldDecoder(CUSTOM_TOOL_INPUT_FIELD);
  /** The input decoded so far. */
  private input = '';

  append(piece: string): void {
    this.arguments += piece;
    const decoded = this.decoder.push(piece);
    if (decoded === '') return;
    this.input += decoded;
    this.stream.emit({
      type: 'response.custom_tool_call_input.delta',
      sequence_number: this.stream.nextSequence(),
      item_id: this.id,
      output_index: this.outputIndex,
      delta: decoded,
    });
  }

  protected item(status: ItemStatus): CustomToolCallOutputItem {
    const namespace = this.target.namespace !== undefined ? { namespace: this.target.namespace } : {};
    const input = status === 'in_progress' ? this.input : customToolInput(this.arguments);
    return {
      type: 'custom_tool_call',
      id: this.id,
      call_id: this.callId,
      name: this.target.name,
      ...namespace,
      input,
      status,
    };
  }

  protected emitInputDone(item: CustomToolCallOutputItem): void {
    const { stream } = this;
    stream.emit({
      type: 'response.custom_tool_call_input.done',
      sequence_number: stream.nextSequence(),
      item_id: this.id,
      output_index: this.outputIndex,
      input: item.input,
    });
  }

  override argumentsComplete(): boolean {
    // Raw (non-JSON) input cannot be judged; treat it as complete.
    const text = this.arguments.trimStart();
    return (text !== '' && !text.startsWith('{')) || isWholeJson(this.arguments);
  }
}

class ToolSearchCallBuilder extends ToolCallItemBuilder<ToolSearchCallOutputItem> {
  append(piece: string): void {
    this.arguments += piece;
  }

  protected item(status: ItemStatus): ToolSearchCallOutputItem {
    const parsed = status === 'in_progress' ? {} : parseObject(this.arguments);
    return {
      type: 'tool_search_call',
      id: this.id,
      call_id: this.callId,
      execution: 'client',
      arguments: parsed,
      status,
    };
  }

  protected emitInputDone(): void {
    // A tool_search call has no input events: its item carries the arguments.
  }
}

/** A function call's final arguments; an empty string becomes `{}`. */
function functionArguments(text: string): string {
  return text.trim() === '' ? '{}' : text;
}

/** The raw input of a freeform tool call, however the model wrapped it. */
export function customToolInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      if (typeof record[CUSTOM_TOOL_INPUT_FIELD] === 'string') return record[CUSTOM_TOOL_INPUT_FIELD] as string;
      const strings = Object.values(record).filter((value): value is string => typeof value === 'string');
      if (strings.length === 1) return strings[0]!;
    }
    if (typeof parsed === 'string') return parsed;
    return args;
  } catch {
    return args;
  }
}

function parseObject(args: string): unknown {
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
