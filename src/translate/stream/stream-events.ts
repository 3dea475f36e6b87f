/**
 * The Responses stream events the relay emits, as a discriminated union on
 * `type`. Names and fields are those of the official schema's stream events
 * (`Response…Event` in OpenAI's OpenAPI description); only what the relay
 * sends is declared.
 *
 * Field order is part of the contract: the bytes on the wire are the event's
 * JSON, and OpenAI's own streams lead with `type` and `sequence_number`.
 * Every interface below declares its fields in wire order, and
 * EVENT_FIELD_ORDER states the same order at run time; the item builders
 * write each event as an object literal in that order, and one test holds
 * every event the translator produces to it.
 */
import type { OutputItem, ResponseObject } from './response-object.js';

/** The events that carry a whole Response snapshot. */
export interface ResponseSnapshotEvent<Type extends SnapshotEventType = SnapshotEventType> {
  type: Type;
  sequence_number: number;
  response: ResponseObject;
}

export type SnapshotEventType =
  | 'response.created'
  | 'response.in_progress'
  | 'response.completed'
  | 'response.incomplete'
  | 'response.failed';

export interface OutputItemEvent<Type extends 'response.output_item.added' | 'response.output_item.done'> {
  type: Type;
  sequence_number: number;
  output_index: number;
  item: OutputItem;
}

export type ContentPart =
  | { type: 'output_text'; text: string; annotations: unknown[]; logprobs: unknown[] }
  | { type: 'reasoning_text'; text: string };

export interface ContentPartEvent<Type extends 'response.content_part.added' | 'response.content_part.done'> {
  type: Type;
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  part: ContentPart;
}

export interface OutputTextDeltaEvent {
  type: 'response.output_text.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
  logprobs: unknown[];
}

export interface OutputTextDoneEvent {
  type: 'response.output_text.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
  logprobs: unknown[];
}

export interface ReasoningSummaryPartEvent<
  Type extends 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done',
> {
  type: Type;
  sequence_number: number;
  item_id: string;
  output_index: number;
  summary_index: number;
  part: { type: 'summary_text'; text: string };
}

export interface ReasoningSummaryTextDeltaEvent {
  type: 'response.reasoning_summary_text.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  summary_index: number;
  delta: string;
}

export interface ReasoningSummaryTextDoneEvent {
  type: 'response.reasoning_summary_text.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  summary_index: number;
  text: string;
}

export interface ReasoningTextDeltaEvent {
  type: 'response.reasoning_text.delta';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  delta: string;
}

export interface ReasoningTextDoneEvent {
  type: 'response.reasoning_text.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  content_index: number;
  text: string;
}

/** Argument text of a function call, or input text of a freeform (custom) tool call. */
export interface ToolInputDeltaEvent<
  Type extends 'response.function_call_arguments.delta' | 'response.custom_tool_call_input.delta',
> {
  type: Type;
  sequence_number: number;
  item_id: string;
  output_index: number;
  delta: string;
}

export interface FunctionCallArgumentsDoneEvent {
  type: 'response.function_call_arguments.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  name: string;
  arguments: string;
}

export interface CustomToolCallInputDoneEvent {
  type: 'response.custom_tool_call_input.done';
  sequence_number: number;
  item_id: string;
  output_index: number;
  input: string;
}

/** One Responses stream event, as the relay emits it. */
export type ResponseStreamEvent =
  | ResponseSnapshotEvent
  | OutputItemEvent<'response.output_item.added'>
  | OutputItemEvent<'response.output_item.done'>
  | ContentPartEvent<'response.content_part.added'>
  | ContentPartEvent<'response.content_part.done'>
  | OutputTextDeltaEvent
  | OutputTextDoneEvent
  | ReasoningSummaryPartEvent<'response.reasoning_summary_part.added'>
  | ReasoningSummaryPartEvent<'response.reasoning_summary_part.done'>
  | ReasoningSummaryTextDeltaEvent
  | ReasoningSummaryTextDoneEvent
  | ReasoningTextDeltaEvent
  | ReasoningTextDoneEvent
  | ToolInputDeltaEvent<'response.function_call_arguments.delta'>
  | ToolInputDeltaEvent<'response.custom_tool_call_input.delta'>
  | FunctionCallArgumentsDoneEvent
  | CustomToolCallInputDoneEvent;

export type ResponseStreamEventType = ResponseStreamEvent['type'];

/** The event of one type. */
export type StreamEventOf<Type extends ResponseStreamEventType> = Extract<ResponseStreamEvent, { type: Type }>;

const SNAPSHOT = ['type', 'sequence_number', 'response'] as const;
const OUTPUT_ITEM = ['type', 'sequence_number', 'output_index', 'item'] as const;
const CONTENT_PART = ['type', 'sequence_number', 'item_id', 'output_index', 'content_index', 'part'] as const;
const SUMMARY_PART = ['type', 'sequence_number', 'item_id', 'output_index', 'summary_index', 'part'] as const;
const TOOL_INPUT_DELTA = ['type', 'sequence_number', 'item_id', 'output_index', 'delta'] as const;

/** Every field of every event, in the order it is written on the wire. */
export const EVENT_FIELD_ORDER: {
  readonly [Type in ResponseStreamEventType]: ReadonlyArray<keyof StreamEventOf<Type>>;
} = {
  'response.created': SNAPSHOT,
  'response.in_progress': SNAPSHOT,
  'response.completed': SNAPSHOT,
  'response.incomplete': SNAPSHOT,
  'response.failed': SNAPSHOT,
  'response.output_item.added': OUTPUT_ITEM,
  'response.output_item.done': OUTPUT_ITEM,
  'response.content_part.added': CONTENT_PART,
  'response.content_part.done': CONTENT_PART,
  'response.output_text.delta': [
    'type',
    'sequence_number',
    'item_id',
    'output_index',
    'content_index',
    'delta',
    'logprobs',
  ],
  'response.output_text.done': [
    'type',
    'sequence_number',
    'item_id',
    'output_index',
    'content_index',
    'text',
    'logprobs',
  ],
  'response.reasoning_summary_part.added': SUMMARY_PART,
  'response.reasoning_summary_part.done': SUMMARY_PART,
  'response.reasoning_summary_text.delta': [
    'type',
    'sequence_number',
    'item_id',
    'output_index',
    'summary_index',
    'delta',
  ],
  'response.reasoning_summary_text.done': [
    'type',
    'sequence_number',
    'item_id',
    'output_index',
    'summary_index',
    'text',
  ],
  'response.reasoning_text.delta': ['type', 'sequence_number', 'item_id', 'output_index', 'content_index', 'delta'],
  'response.reasoning_text.done': ['type', 'sequence_number', 'item_id', 'output_index', 'content_index', 'text'],
  'response.function_call_arguments.delta': TOOL_INPUT_DELTA,
  'response.custom_tool_call_input.delta': TOOL_INPUT_DELTA,
  'response.function_call_arguments.done': ['type', 'sequence_number', 'item_id', 'output_index', 'name', 'arguments'],
  'response.custom_tool_call_input.done': ['type', 'sequence_number', 'item_id', 'output_index', 'input'],
};

/** Whether an event carries a Response snapshot. */
export function isSnapshotEvent(event: ResponseStreamEvent): event is ResponseSnapshotEvent {
  return 'response' in event;
}
