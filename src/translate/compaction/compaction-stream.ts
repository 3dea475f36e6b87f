/**
 * A compaction turn's stream: the upstream writes a summary, the client gets
 * one `compaction` item. Wraps the Responses translator, which reads the
 * upstream as for any turn; its output events are held back, and when the
 * summary is complete it becomes the single item, added and done, before
 * `response.completed`. Failures and heartbeats pass through (without the
 * partial summary).
 */
import type { ChatChunk } from '../chat-types.js';
import type { CompactionOutputItem, ResponseObject } from '../stream/response-object.js';
import type { ResponseStreamEvent, ResponseStreamTranslator, StreamEnding } from '../stream/response-stream.js';
import { isSnapshotEvent, type SnapshotEventType } from '../stream/stream-events.js';
import type { UpstreamFailure } from '../upstream-errors.js';
import { encodeCompactionEnvelope } from './compaction-envelope.js';

/** Events of the inner translator that go to the client (with their output emptied). */
const PASSED_EVENTS: ReadonlySet<string> = new Set<SnapshotEventType>([
  'response.created',
  'response.in_progress',
  'response.failed',
  'response.incomplete',
]);

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

  start(): ResponseStreamEvent[] {
    return this.pass(this.inner.start());
  }

  onChunk(chunk: ChatChunk): ResponseStreamEvent[] {
    return this.pass(this.inner.onChunk(chunk));
  }

  finish(ending?: StreamEnding): ResponseStreamEvent[] {
    const events = this.inner.finish(ending);
    const response = this.inner.response;
    if (response.status !== 'completed') return this.pass(events);
    const summary = summaryText(response);
    if (summary === '') {
      this.summaryFailure = {
        code: 'server_error',
        message: 'The upstream model returned an empty summary for compaction.',
      };
      return this.fail(this.summaryFailure);
    }
    const item: CompactionOutputItem = {
      type: 'compaction',
      id: this.options.createId('cmp'),
      encrypted_content: encodeCompactionEnvelope(summary, this.options.key),
    };
    this.item = item;
    return [
      { type: 'response.output_item.added', sequence_number: this.sequence++, output_index: 0, item },
      { type: 'response.output_item.done', sequence_number: this.sequence++, output_index: 0, item },
      { type: 'response.completed', sequence_number: this.sequence++, response: this.response },
    ];
  }

  fail(failure: UpstreamFailure): ResponseStreamEvent[] {
    if (this.inner.ended && this.inner.response.status === 'completed') {
      // The upstream finished but its summary could not be used: the response ends failed all the same.
      const response = {
        ...this.inner.response,
        status: 'failed' as const,
        output: [],
        error: { code: failure.code, message: failure.message },
      };
      return [{ type: 'response.failed', sequence_number: this.sequence++, response }];
    }
    return this.pass(this.inner.fail(failure));
  }

  heartbeat(): ResponseStreamEvent[] {
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
    if (this.summaryFailure)
      return {
        ...response,
        status: 'failed',
        output: [],
        error: { code: this.summaryFailure.code, message: this.summaryFailure.message },
      };
    return { ...response, output: this.item ? [this.item] : [] };
  }

  /** The inner snapshot events the client sees, renumbered, with their output emptied. */
  private pass(events: readonly ResponseStreamEvent[]): ResponseStreamEvent[] {
    const passed: ResponseStreamEvent[] = [];
    for (const event of events) {
      if (!isSnapshotEvent(event) || !PASSED_EVENTS.has(event.type)) continue;
      passed.push({ type: event.type, sequence_number: this.sequence++, response: { ...event.response, output: [] } });
    }
    return passed;
  }
}

/** The text the model wrote (reasoning and tool calls are not part of the summary). */
function summaryText(response: ResponseObject): string {
  return response.output
    .flatMap((item) => (item.type === 'message' ? item.content.map((part) => part.text) : []))
    .join('')
    .trim();
}
