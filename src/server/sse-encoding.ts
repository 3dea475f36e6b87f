/**
 * Responses events → SSE text, for HTTP and (one frame per `data:` line) the
 * WebSocket. Every event becomes `event: <type>\ndata: <JSON.stringify(event)>\n\n`,
 * byte for byte, with less work on the hot path: deltas (one or two per
 * upstream chunk) are assembled from their few fields in the order
 * EVENT_FIELD_ORDER (translate/stream/stream-events.ts) states, and the
 * request's `tools`, which every Response snapshot repeats, are serialised
 * once per response instead of once per snapshot. Tests hold the encoder to
 * JSON.stringify for every event the translator produces, and the events to
 * that field order.
 */
import { randomUUID } from 'node:crypto';
import type { ResponseEcho, ResponseObject } from '../translate/stream/response-object.js';
import type { ResponseStreamEvent } from '../translate/stream/stream-events.js';
import { isAscii, type SseText } from './sse-text.js';

/** Stands in for the tools while a snapshot is serialised; random, so no text the model writes can match it. */
const TOOLS_PLACEHOLDER = `\u0000tools:${randomUUID()}`;
const TOOLS_PLACEHOLDER_JSON = JSON.stringify(TOOLS_PLACEHOLDER);

const json = JSON.stringify;

/** The start of each delta event, up to its sequence number. */
const OUTPUT_TEXT_DELTA = deltaStart('response.output_text.delta');
const REASONING_SUMMARY_DELTA = deltaStart('response.reasoning_summary_text.delta');
const REASONING_TEXT_DELTA = deltaStart('response.reasoning_text.delta');
const FUNCTION_ARGUMENTS_DELTA = deltaStart('response.function_call_arguments.delta');
const CUSTOM_INPUT_DELTA = deltaStart('response.custom_tool_call_input.delta');

function deltaStart(type: string): string {
  return `event: ${type}\ndata: {"type":"${type}","sequence_number":`;
}

/** The delta fields last made, and the item part they belong to. */
interface ItemFields {
  itemId: string;
  outputIndex: number;
  partIndex: number | undefined;
  partField: string | undefined;
  fields: string;
  /** Whether `fields` is ASCII. */
  ascii: boolean;
}

function samePart(
  item: ItemFields,
  itemId: string,
  outputIndex: number,
  partIndex: number | undefined,
  partField: string | undefined,
): boolean {
  return (
    item.itemId === itemId &&
    item.outputIndex === outputIndex &&
    item.partIndex === partIndex &&
    item.partField === partField
  );
}

/** The SSE encoder for the events of one response. */
export class SseEncoder {
  private readonly tools: unknown[];
  private toolsJson: string | undefined;
  /** The last snapshot serialised in this call of `encode`: `created` and `in_progress` share one. */
  private lastResponse: ResponseObject | undefined;
  private lastResponseJson = '';
  private lastItem: ItemFields | undefined;
  private otherItem: ItemFields | undefined;

  /** `echo`: the request's echo (or a Response object), whose `tools` every snapshot repeats. */
  constructor(echo: Pick<ResponseEcho, 'tools'>) {
    this.tools = echo.tools;
  }

  /** All events as one string, so they reach the socket in one write. */
  encode(events: readonly ResponseStreamEvent[]): string {
    let text = '';
    for (const event of events) text += this.encodeEvent(event);
    this.forgetSnapshot();
    return text;
  }

  /** All events added to `text`, deltas of ASCII text marked as ASCII (sse-text.ts). */
  encodeInto(events: readonly ResponseStreamEvent[], text: SseText): void {
    for (const event of events) {
      const encoded = this.encodeEvent(event);
      text.append(encoded, this.isAsciiDelta(event));
    }
    this.forgetSnapshot();
  }

  /** The last snapshot's JSON is not kept for the rest of the stream, where every collection would copy it. */
  private forgetSnapshot(): void {
    this.lastResponse = undefined;
    this.lastResponseJson = '';
  }

  /** Whether `event`, just encoded, is a delta whose text is all ASCII; other events are not looked at. */
  private isAsciiDelta(event: ResponseStreamEvent): boolean {
    if (event.type === 'response.output_text.delta' && event.logprobs.length > 0) return false;
    switch (event.type) {
      case 'response.output_text.delta':
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        return this.lastItem!.ascii && isAscii(event.delta);
      default:
        return false;
    }
  }

  private encodeEvent(event: ResponseStreamEvent): string {
    // Field order: EVENT_FIELD_ORDER (translate/stream/stream-events.ts).
    switch (event.type) {
      case 'response.output_text.delta': {
        const logprobs = event.logprobs.length === 0 ? '[]' : json(event.logprobs);
        return `${OUTPUT_TEXT_DELTA}${event.sequence_number}${this.itemFields(event.item_id, event.output_index, event.content_index, 'content_index')}${json(event.delta)},"logprobs":${logprobs}}\n\n`;
      }
      case 'response.reasoning_summary_text.delta':
        return `${REASONING_SUMMARY_DELTA}${event.sequence_number}${this.itemFields(event.item_id, event.output_index, event.summary_index, 'summary_index')}${json(event.delta)}}\n\n`;
      case 'response.reasoning_text.delta':
        return `${REASONING_TEXT_DELTA}${event.sequence_number}${this.itemFields(event.item_id, event.output_index, event.content_index, 'content_index')}${json(event.delta)}}\n\n`;
      case 'response.function_call_arguments.delta':
        return `${FUNCTION_ARGUMENTS_DELTA}${event.sequence_number}${this.itemFields(event.item_id, event.output_index)}${json(event.delta)}}\n\n`;
      case 'response.custom_tool_call_input.delta':
        return `${CUSTOM_INPUT_DELTA}${event.sequence_number}${this.itemFields(event.item_id, event.output_index)}${json(event.delta)}}\n\n`;
      case 'response.created':
      case 'response.in_progress':
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        return `event: ${event.type}\ndata: {"type":"${event.type}","sequence_number":${event.sequence_number},"response":${this.encodeResponse(event.response)}}\n\n`;
      default:
        return `event: ${event.type}\ndata: ${json(event)}\n\n`;
    }
  }

  /**
   * The fields of a delta between its sequence number and its text, up to
   * `"delta":`. They are the same for every delta of one item part, so they
   * are made once per part rather than once per event. The two parts last
   * used are kept: a reasoning item's summary and text deltas alternate.
   */
  private itemFields(
    itemId: string,
    outputIndex: number,
    partIndex?: number,
    partField?: 'content_index' | 'summary_index',
  ): string {
    const last = this.lastItem;
    if (last !== undefined && samePart(last, itemId, outputIndex, partIndex, partField)) return last.fields;
    const other = this.otherItem;
    this.otherItem = last;
    if (other !== undefined && samePart(other, itemId, outputIndex, partIndex, partField)) {
      this.lastItem = other;
      return other.fields;
    }
    const part = partField === undefined ? '' : `,"${partField}":${partIndex}`;
    const fields = `,"item_id":${json(itemId)},"output_index":${outputIndex}${part},"delta":`;
    // The rest of the fields are ASCII whatever the item.
    this.lastItem = { itemId, outputIndex, partIndex, partField, fields, ascii: isAscii(itemId) };
    return fields;
  }

  /** A Response snapshot, with the tools' JSON reused when the snapshot carries this response's tools. */
  private encodeResponse(response: ResponseObject): string {
    if (response === this.lastResponse) return this.lastResponseJson;
    this.lastResponse = response;
    this.lastResponseJson = this.serialiseResponse(response);
    return this.lastResponseJson;
  }

  private serialiseResponse(response: ResponseObject): string {
    if (response.tools !== this.tools || this.tools.length === 0) return json(response);
    this.toolsJson ??= json(this.tools);
    const text = json({ ...response, tools: TOOLS_PLACEHOLDER });
    const at = text.lastIndexOf(TOOLS_PLACEHOLDER_JSON);
    return text.slice(0, at) + this.toolsJson + text.slice(at + TOOLS_PLACEHOLDER_JSON.length);
  }
}
