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

/** Stands in for the tools while a snapshot is serialised; random, so no text the model writes can match it. */
const TOOLS_PLACEHOLDER = `\u0000tools:${randomUUID()}`;
const TOOLS_PLACEHOLDER_JSON = JSON.stringify(TOOLS_PLACEHOLDER);

const json = JSON.stringify;

/** The SSE encoder for the events of one response. */
export class SseEncoder {
  private readonly tools: unknown[];
  private toolsJson: string | undefined;
  /** The last snapshot serialised: `created` and `in_progress` share one. */
  private lastResponse: ResponseObject | undefined;
  private lastResponseJson = '';

  /** `echo`: the request's echo (or a Response object), whose `tools` every snapshot repeats. */
  constructor(echo: Pick<ResponseEcho, 'tools'>) {
    this.tools = echo.tools;
  }

  /** All events as one string, so they reach the socket in one write. */
  encode(events: readonly ResponseStreamEvent[]): string {
    let text = '';
    for (const event of events) text += this.encodeEvent(event);
    return text;
  }

  private encodeEvent(event: ResponseStreamEvent): string {
    // Field order: EVENT_FIELD_ORDER (translate/stream/stream-events.ts).
    switch (event.type) {
      case 'response.output_text.delta': {
        const logprobs = event.logprobs.length === 0 ? '[]' : json(event.logprobs);
        return `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${event.sequence_number},"item_id":${json(event.item_id)},"output_index":${event.output_index},"content_index":${event.content_index},"delta":${json(event.delta)},"logprobs":${logprobs}}\n\n`;
      }
      case 'response.reasoning_summary_text.delta':
        return `event: response.reasoning_summary_text.delta\ndata: {"type":"response.reasoning_summary_text.delta","sequence_number":${event.sequence_number},"item_id":${json(event.item_id)},"output_index":${event.output_index},"summary_index":${event.summary_index},"delta":${json(event.delta)}}\n\n`;
      case 'response.reasoning_text.delta':
        return `event: response.reasoning_text.delta\ndata: {"type":"response.reasoning_text.delta","sequence_number":${event.sequence_number},"item_id":${json(event.item_id)},"output_index":${event.output_index},"content_index":${event.content_index},"delta":${json(event.delta)}}\n\n`;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        return `event: ${event.type}\ndata: {"type":"${event.type}","sequence_number":${event.sequence_number},"item_id":${json(event.item_id)},"output_index":${event.output_index},"delta":${json(event.delta)}}\n\n`;
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
