/**
 * A compaction turn's stream: the upstream writes a summary, the client gets
 * one `compaction` item. Wraps the Responses translator, which reads the
 * upstream as for any turn; its output events are held back, and when the
 * summary is complete it becomes the single item, added and done, before
 * `response.completed`. Failures and heartbeats pass through (without the
 * partial summary).
 */
import type { ChatChunk } from '../chat-types.js';
import type { UpstreamFailure } from '../upstream-errors.js';
import type { CompactionOutputItem, ResponseObject } from '../stream/response-object.js';
import type { ResponseEvent, ResponseStreamTranslator, StreamEnding } from '../stream/response-stream.js';
import { encodeCompactionEnvelope } from './compaction-envelope.js';

/** Events of the inner translator that go to the client (with their output emptied). */
const PASSED_EVENTS = new Set(['response.created', 'response.in_progress', 'response.failed', 'response.incomplete']);

export class CompactionStream {
  private sequence = 0;
  private item: CompactionOutputItem | undefined;
  private summaryFailure: UpstreamFailure | undefined;
  private readonly inner: ResponseStreamTranslator;
  private readonly options: { key: Buffer; createId: (prefix: 'cmp') => string };

  constructor(inner: ResponseStreamTranslator, options: { key: Buffer; createId: (prefix: 'cmp') => string }) {
    this.inner = inner;
    this.options = options;
  }

  start(): ResponseEvent[] {
    return this.pass(this.inner.start());
  }

  onChunk(chunk: ChatChunk): ResponseEvent[] {
    return this.pass(this.inner.onChunk(chunk));
  }

  finish(ending?: StreamEnding): ResponseEvent[] {
    const events = this.inner.finish(ending);
    const response = this.inner.response;
    if (response.status !== 'completed') return this.pass(events);
    const summary = summaryText(response);
    if (summary === '') {
      this.summaryFailure = { code: 'server_error', message: 'The upstream model returned an empty summary for compaction.' };
      return this.fail(this.summaryFailure);
    }
    const item: CompactionOutputItem = { type: 'compaction', id: this.options.createId('cmp'), encrypted_content: encodeCompactionEnvelope(summary, this.options.key) };
    this.item = item;
    return [
      this.stamp({ type: 'response.output_item.added', output_index: 0, item }),
      this.stamp({ type: 'response.output_item.done', output_index: 0, item }),
      this.stamp({ type: 'response.completed', response: this.response }),
    ];
  }

  fail(failure: UpstreamFailure): ResponseEvent[] {
    if (this.inner.ended && this.inner.response.status === 'completed') {
      // The upstream finished but its summary could not be used: the response ends failed all the same.
      return [this.stamp({ type: 'response.failed', response: { ...this.inner.response, status: 'failed', output: [], error: { code: failure.code, message: failure.message } } })];
    }
    return this.pass(this.inner.fail(failure));
  }

  heartbeat(): ResponseEvent[] {
    return this.pass(this.inner.heartbeat());
  }

  get ended(): boolean {
    return this.inner.ended;
  }

  get failure(): UpstreamFailure | undefined {
    return this.summaryFailure ?? this.inner.failure;
  }

  /** The response with the compaction item as its only output once complete, no output before. */
  get response(): ResponseObject {
    const response = this.inner.response;
    if (this.summaryFailure) return { ...response, status: 'failed', output: [], error: { code: this.summaryFailure.code, message: this.summaryFailure.message } };
    return { ...response, output: this.item ? [this.item] : [] };
  }

  private pass(events: readonly ResponseEvent[]): ResponseEvent[] {
    return events
      .filter((event) => PASSED_EVENTS.has(event.type))
      .map((event) => this.stamp({ ...event, response: { ...(event.response as ResponseObject), output: [] } }));
  }

  private stamp(event: { type: string; [field: string]: unknown }): ResponseEvent {
    const { type, sequence_number: _dropped, ...rest } = event;
    return { type, sequence_number: this.sequence++, ...rest };
  }
}

/** The text the model wrote (reasoning and tool calls are not part of the summary). */
function summaryText(response: ResponseObject): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content.map((part) => part.text) : []))
    .join('')
    .trim();
}
