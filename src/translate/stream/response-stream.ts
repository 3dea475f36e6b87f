/**
 * The outgoing stream as an explicit state machine: Chat Completions chunks in,
 * Responses stream events out. Pure — ids, time and provider hooks are passed
 * in — and fed one chunk at a time:
 *
 *   start() → created, in_progress
 *   onChunk(chunk) → item added / deltas / done as the upstream sends them
 *   finish() → the last items closed and one terminal event
 *   fail(failure) → response.failed (upstream error, lost connection)
 *
 * Items are emitted one after another (reasoning, then message, then tool
 * calls), each `added` before its deltas and `done` with the complete item.
 * A tool call is closed when the next one starts and its arguments already
 * parse, so parallel calls stream in order without cutting one short.
 */
import type { ProviderHooks } from '../../providers/types.js';
import type { ChatChunk, ChatDelta, ChatToolCallDelta } from '../chat-types.js';
import { CUSTOM_TOOL_INPUT_FIELD } from '../request/convert-tools.js';
import { encodeReasoningEnvelope } from '../reasoning-envelope.js';
import type { TranslationNote } from '../notes.js';
import type { ToolNameMap } from '../tool-names.js';
import { responseErrorCode, type UpstreamFailure } from '../upstream-errors.js';
import { toResponsesUsage, type Usage } from '../usage.js';
import { runSplitters, splittersPassThrough, type ContentSegment, type ContentSplitter } from './content-splitter.js';
import { JsonStringFieldDecoder } from './json-string-field-decoder.js';
import { LateOutput } from './late-output.js';
import { accumulateReasoningDetails, readDeltaReasoning } from './reasoning-reader.js';
import {
  buildResponseObject,
  type ItemStatus,
  type OutputItem,
  type ResponseEcho,
  type ResponseObject,
  type ResponseStatus,
} from './response-object.js';
import {
  argumentsComplete,
  createToolCallState,
  finishReasonFromCalls,
  fragmentId,
  functionArguments,
  matchToolCall,
  readThoughtSignature,
  uniqueCallId,
  toolCallItem,
  type ToolCallState,
} from './tool-calls.js';

/** One Responses stream event. */
export interface ResponseEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

export type IdPrefix = 'msg' | 'rs' | 'fc' | 'ctc' | 'tsc' | 'call';

export interface ResponseStreamOptions {
  responseId: string;
  /** Unix seconds. */
  createdAt: number;
  createId: (prefix: IdPrefix) => string;
  /** Unix seconds, read when the response ends. */
  now: () => number;
  echo: ResponseEcho;
  names: ToolNameMap;
  hooks: Pick<ProviderHooks, 'readUsage' | 'normalizeUsage' | 'createContentSplitters'>;
  /** Classifies an error object that arrived inside the stream. */
  classifyStreamError: (body: unknown) => UpstreamFailure;
  /** Applied to a failure's message before it is emitted (keeps upstream keys an error body echoed away from clients). */
  redactMessage?: (message: string) => string;
  /** Told what the stream ignored (output after the finish reason); the caller logs it. */
  onNote?: (note: TranslationNote) => void;
}

interface OpenMessage {
  kind: 'message';
  id: string;
  outputIndex: number;
  text: string;
}

interface OpenReasoning {
  kind: 'reasoning';
  id: string;
  outputIndex: number;
  text: string;
  textStarted: boolean;
  details: Array<Record<string, unknown>>;
}

type Phase = 'idle' | 'streaming' | 'ended';

/** What depends on the upstream that answers: a fallback brings its own. */
export type UpstreamOptions = Pick<ResponseStreamOptions, 'names' | 'hooks' | 'classifyStreamError' | 'onNote'>;
/** How the upstream stream ended: with `[DONE]`, or the body just stopped. */
export type StreamEnding = 'done' | 'end_of_body';

export class ResponseStreamTranslator {
  private options: ResponseStreamOptions;
  private splitters: ContentSplitter[];
  private events: ResponseEvent[] = [];
  private sequence = 0;
  private phase: Phase = 'idle';
  private nextOutputIndex = 0;
  /** Every item that has been added, by output index. */
  private readonly items: Array<OutputItem | undefined> = [];
  private readonly doneItems = new Set<number>();
  private open: OpenMessage | OpenReasoning | undefined;
  private readonly toolCalls: ToolCallState[] = [];
  /** Whitespace that arrived while no message was open; it starts one only if text follows. */
  private heldBlank = '';
  /** Opaque reasoning data that arrived after the reasoning item closed. */
  private readonly lateDetails: Array<Record<string, unknown>> = [];
  private usage: Usage | undefined;
  private finishReason: string | undefined;
  /** Output that arrived after the finish reason (ignored). */
  private readonly lateOutput = new LateOutput();
  private status: ResponseStatus = 'in_progress';
  private error: { code: string; message: string } | null = null;
  private failureReason: UpstreamFailure | undefined;
  private incompleteReason: string | null = null;
  private completedAt: number | null = null;

  constructor(options: ResponseStreamOptions) {
    this.options = options;
    this.splitters = options.hooks.createContentSplitters(options.names);
  }

  /**
   * Reads the rest of the stream as coming from another upstream (a fallback
   * answered after the response was started); only before any output.
   */
  useUpstream(upstream: UpstreamOptions): void {
    if (this.items.length > 0 || this.phase === 'ended') throw new Error('The upstream can only change before the response has any output.');
    this.options = { ...this.options, ...upstream };
    this.splitters = upstream.hooks.createContentSplitters(upstream.names);
  }

  /** `response.created` and `response.in_progress`. */
  start(): ResponseEvent[] {
    this.events = [];
    if (this.phase !== 'idle') return this.events;
    this.phase = 'streaming';
    // One snapshot for both: they describe the same state (and are serialised once).
    const response = this.snapshot();
    this.emit({ type: 'response.created', response });
    this.emit({ type: 'response.in_progress', response });
    return this.events;
  }

  /** A standard `response.in_progress` carrying the current state: keeps idle timers alive. */
  heartbeat(): ResponseEvent[] {
    this.events = [];
    if (this.phase === 'streaming') this.emit({ type: 'response.in_progress', response: this.snapshot() });
    return this.events;
  }

  /** Feeds one parsed upstream chunk. */
  onChunk(chunk: ChatChunk): ResponseEvent[] {
    this.events = [];
    if (this.phase === 'idle') this.start();
    if (this.phase !== 'streaming') return this.events;

    if (chunk.error !== undefined && chunk.error !== null) {
      this.failWith(this.options.classifyStreamError(chunk));
      return this.events;
    }
    if ((chunk as { object?: unknown }).object === 'error') {
      this.failWith(this.options.classifyStreamError(chunk));
      return this.events;
    }
    const rawUsage = this.options.hooks.readUsage(chunk);
    if (rawUsage) this.usage = this.options.hooks.normalizeUsage(rawUsage);

    const choice = chunk.choices?.[0];
    if (!choice) return this.events;
    const delta = choice.delta ?? choice.message;
    if (this.finishReason !== undefined) {
      // The model said it was done: nothing more of this choice counts (usage, read above, does).
      if (delta) this.lateOutput.record(delta);
      return this.events;
    }
    if (delta) this.onDelta(delta);
    if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
      if (choice.finish_reason === 'error') {
        this.failWith(this.options.classifyStreamError(chunk.error ?? choice.error ?? { message: 'the upstream reported an error' }));
        return this.events;
      }
      this.finishReason = choice.finish_reason;
    }
    return this.events;
  }

  /**
   * The upstream stream ended: `done` when it said so with `[DONE]` (or sent a
   * whole completion), otherwise the body just stopped. Closes items and ends
   * the response.
   */
  finish(ending: StreamEnding = 'end_of_body'): ResponseEvent[] {
    this.events = [];
    if (this.phase === 'idle') this.start();
    if (this.phase !== 'streaming') return this.events;
    this.pushSegments(runSplitters(this.splitters, '', true));
    if (this.finishReason === undefined) {
      const inferred = ending === 'done' ? finishReasonFromCalls(this.toolCalls) : undefined;
      if (inferred === undefined) {
        this.failWith({
          code: 'server_error',
          message:
            ending === 'done'
              ? 'The upstream stream ended with an unfinished tool call (no finish_reason, arguments cut off).'
              : 'The upstream stream ended before the model finished (no finish_reason).',
        });
        return this.events;
      }
      this.finishReason = inferred;
    }
    const truncated = this.finishReason === 'length' || this.finishReason === 'content_filter';
    const itemStatus: ItemStatus = truncated ? 'incomplete' : 'completed';
    this.closeOpenItem(itemStatus);
    for (const call of this.toolCalls) this.closeToolCall(call, itemStatus);
    this.emitLateReasoning();
    this.reportLateOutput();
    this.completedAt = this.options.now();
    if (truncated) {
      this.status = 'incomplete';
      this.incompleteReason = this.finishReason === 'length' ? 'max_output_tokens' : 'content_filter';
      this.phase = 'ended';
      this.emit({ type: 'response.incomplete', response: this.snapshot() });
    } else {
      this.status = 'completed';
      this.phase = 'ended';
      this.emit({ type: 'response.completed', response: this.snapshot() });
    }
    return this.events;
  }

  private reportLateOutput(): void {
    const note = this.lateOutput.note(this.finishReason);
    if (note) this.options.onNote?.(note);
  }

  /** Ends the response with `response.failed` (upstream error, lost connection, timeout). */
  fail(failure: UpstreamFailure): ResponseEvent[] {
    this.events = [];
    if (this.phase === 'idle') this.start();
    this.failWith(failure);
    return this.events;
  }

  /** Why the response failed, as classified (the emitted `error.code` is the one Codex acts on). */
  get failure(): UpstreamFailure | undefined {
    return this.failureReason;
  }

  /** True once a terminal event has been produced. */
  get ended(): boolean {
    return this.phase === 'ended';
  }

  /** The Response object as it stands (final once `ended`). */
  get response(): ResponseObject {
    return this.snapshot();
  }

  // ---- deltas ---------------------------------------------------------------------------

  private onDelta(delta: ChatDelta): void {
    const reasoning = readDeltaReasoning(delta);
    if (reasoning) this.onReasoning(reasoning.text, reasoning.details);

    const content = delta.content;
    if (typeof content === 'string') {
      if (content !== '') this.onContentText(content);
    } else if (Array.isArray(content)) {
      this.onContentParts(content);
    }
    if (typeof delta.refusal === 'string' && delta.refusal !== '') this.onText(delta.refusal);

    if (Array.isArray(delta.tool_calls)) {
      for (const fragment of delta.tool_calls) this.onToolCallFragment(fragment);
    }
  }

  /** Content given as an array of chunks: text, and `thinking` chunks (Mistral). */
  private onContentParts(parts: unknown[]): void {
    for (const part of parts) {
      if (part === null || typeof part !== 'object') continue;
      const record = part as Record<string, unknown>;
      if (record.type === 'text' && typeof record.text === 'string' && record.text !== '') {
        this.onContentText(record.text);
      } else if (record.type === 'thinking') {
        const thinking = record.thinking;
        const text = Array.isArray(thinking)
          ? thinking.map((inner) => (inner && typeof inner === 'object' && typeof (inner as { text?: unknown }).text === 'string' ? (inner as { text: string }).text : '')).join('')
          : typeof thinking === 'string'
            ? thinking
            : '';
        if (text !== '') this.onReasoning(text, undefined);
      }
    }
  }

  /** Content text, through the splitters unless they would pass it on untouched anyway. */
  private onContentText(text: string): void {
    if (splittersPassThrough(this.splitters, text)) this.onText(text);
    else this.pushSegments(runSplitters(this.splitters, text, false));
  }

  private pushSegments(segments: ContentSegment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'text') this.onText(segment.text);
      else if (segment.kind === 'reasoning') this.onReasoning(segment.text, undefined);
      else this.onWholeToolCall(segment.name, segment.arguments);
    }
  }

  private onReasoning(text: string, details: unknown[] | undefined): void {
    let open = this.open;
    if (open?.kind !== 'reasoning') {
      if (text === '') {
        // Opaque data with no text after the reasoning item closed: carried at the end.
        if (details) accumulateReasoningDetails(this.lateDetails, details);
        return;
      }
      this.heldBlank = '';
      this.closeOpenItem('completed');
      this.closeToolCalls('completed');
      open = this.openReasoning();
    }
    if (details) accumulateReasoningDetails(open.details, details);
    if (text === '') return;
    if (!open.textStarted) {
      open.textStarted = true;
      this.emit({
        type: 'response.reasoning_summary_part.added',
        item_id: open.id,
        output_index: open.outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
      this.emit({
        type: 'response.content_part.added',
        item_id: open.id,
        output_index: open.outputIndex,
        content_index: 0,
        part: { type: 'reasoning_text', text: '' },
      });
    }
    open.text += text;
    // Deltas are the hot path: built whole here rather than through emit() (see emit).
    this.events.push(
      { type: 'response.reasoning_summary_text.delta', sequence_number: this.sequence++, item_id: open.id, output_index: open.outputIndex, summary_index: 0, delta: text },
      { type: 'response.reasoning_text.delta', sequence_number: this.sequence++, item_id: open.id, output_index: open.outputIndex, content_index: 0, delta: text },
    );
  }

  private onText(text: string): void {
    let open = this.open;
    if (open?.kind !== 'message') {
      // Whitespace alone does not start a message: some providers (Kimi) stream
      // blanks between parallel tool calls, which would show as empty messages.
      if (BLANK.test(text)) {
        this.heldBlank += text;
        return;
      }
      text = this.heldBlank + text;
      this.heldBlank = '';
      this.closeOpenItem('completed');
      this.closeToolCalls('completed');
      open = this.openMessage();
    }
    open.text += text;
    this.events.push({ type: 'response.output_text.delta', sequence_number: this.sequence++, item_id: open.id, output_index: open.outputIndex, content_index: 0, delta: text, logprobs: [] });
  }

  private onToolCallFragment(fragment: ChatToolCallDelta): void {
    this.heldBlank = '';
    if (this.open) this.closeOpenItem('completed');
    const call = this.findOrCreateToolCall(fragment);
    if (call.closed) return; // a stray fragment after the call was complete
    const name = fragment.function?.name;
    if (typeof name === 'string' && name !== '' && !call.added) call.upstreamName += name;
    const signature = readThoughtSignature(fragment);
    if (signature) call.signature = signature;
    const argumentsPiece = fragment.function?.arguments;
    if (typeof argumentsPiece === 'string' && argumentsPiece !== '') {
      if (call.added) this.appendArguments(call, argumentsPiece);
      else call.pendingArguments += argumentsPiece;
    }
    if (!call.added && call.upstreamName !== '') {
      this.announceToolCall(call);
      if (call.pendingArguments !== '') {
        const pending = call.pendingArguments;
        call.pendingArguments = '';
        this.appendArguments(call, pending);
      }
    }
  }

  /** A tool call recovered whole from text (leaked markup). */
  private onWholeToolCall(name: string, args: string): void {
    this.heldBlank = '';
    if (this.open) this.closeOpenItem('completed');
    this.closeToolCalls('completed');
    const call = this.newToolCall(undefined, undefined);
    call.upstreamName = name;
    this.announceToolCall(call);
    this.appendArguments(call, args);
    this.closeToolCall(call, 'completed');
  }

  private findOrCreateToolCall(fragment: ChatToolCallDelta): ToolCallState {
    const id = fragmentId(fragment);
    const existing = matchToolCall(this.toolCalls, fragment);
    if (existing) {
      if (existing.upstreamId === undefined && id !== undefined) existing.upstreamId = id;
      return existing;
    }
    // Sequential streaming: an earlier call is complete once its arguments parse.
    for (const call of this.toolCalls) {
      if (!call.closed && call.added && argumentsComplete(call)) this.closeToolCall(call, 'completed');
    }
    return this.newToolCall(typeof fragment.index === 'number' ? fragment.index : undefined, id);
  }

  private newToolCall(index: number | undefined, upstreamId: string | undefined): ToolCallState {
    const call = createToolCallState(index, upstreamId);
    this.toolCalls.push(call);
    return call;
  }

  private announceToolCall(call: ToolCallState): void {
    const target = this.options.names.resolve(call.upstreamName);
    call.target = target;
    call.callId = call.upstreamId === undefined ? this.options.createId('call') : uniqueCallId(call.upstreamId, this.toolCalls);
    call.outputIndex = this.nextOutputIndex++;
    call.added = true;
    call.itemId = this.options.createId(target.kind === 'custom' ? 'ctc' : target.kind === 'tool_search' ? 'tsc' : 'fc');
    if (target.kind === 'custom') call.decoder = new JsonStringFieldDecoder(CUSTOM_TOOL_INPUT_FIELD);
    const item = toolCallItem(call, 'in_progress');
    this.items[call.outputIndex] = item;
    this.emit({ type: 'response.output_item.added', output_index: call.outputIndex, item: { ...item } });
  }

  private appendArguments(call: ToolCallState, piece: string): void {
    call.arguments += piece;
    const kind = call.target!.kind;
    if (kind === 'function') {
      (this.items[call.outputIndex] as { arguments: string }).arguments = call.arguments;
      this.events.push({ type: 'response.function_call_arguments.delta', sequence_number: this.sequence++, item_id: call.itemId, output_index: call.outputIndex, delta: piece });
    } else if (kind === 'custom') {
      const decoded = call.decoder!.push(piece);
      if (decoded !== '') {
        (this.items[call.outputIndex] as { input: string }).input += decoded;
        this.events.push({ type: 'response.custom_tool_call_input.delta', sequence_number: this.sequence++, item_id: call.itemId, output_index: call.outputIndex, delta: decoded });
      }
    }
  }

  // ---- opening and closing items ------------------------------------------------------------

  private openReasoning(): OpenReasoning {
    const open: OpenReasoning = {
      kind: 'reasoning',
      id: this.options.createId('rs'),
      outputIndex: this.nextOutputIndex++,
      text: '',
      textStarted: false,
      details: [],
    };
    this.open = open;
    const item: OutputItem = { type: 'reasoning', id: open.id, summary: [], content: [], encrypted_content: null, status: 'in_progress' };
    this.items[open.outputIndex] = item;
    this.emit({ type: 'response.output_item.added', output_index: open.outputIndex, item: { ...item, summary: [], content: [] } });
    return open;
  }

  private openMessage(): OpenMessage {
    const open: OpenMessage = { kind: 'message', id: this.options.createId('msg'), outputIndex: this.nextOutputIndex++, text: '' };
    this.open = open;
    this.items[open.outputIndex] = { type: 'message', id: open.id, status: 'in_progress', role: 'assistant', content: [] };
    this.emit({
      type: 'response.output_item.added',
      output_index: open.outputIndex,
      item: { type: 'message', id: open.id, status: 'in_progress', role: 'assistant', content: [] },
    });
    this.emit({
      type: 'response.content_part.added',
      item_id: open.id,
      output_index: open.outputIndex,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    });
    return open;
  }

  private closeOpenItem(status: ItemStatus): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    if (open.kind === 'message') {
      const part = { type: 'output_text' as const, text: open.text, annotations: [], logprobs: [] };
      this.emit({ type: 'response.output_text.done', item_id: open.id, output_index: open.outputIndex, content_index: 0, text: open.text, logprobs: [] });
      this.emit({ type: 'response.content_part.done', item_id: open.id, output_index: open.outputIndex, content_index: 0, part });
      this.completeItem(open.outputIndex, { type: 'message', id: open.id, status, role: 'assistant', content: [part] });
      return;
    }
    if (open.textStarted) {
      this.emit({ type: 'response.reasoning_text.done', item_id: open.id, output_index: open.outputIndex, content_index: 0, text: open.text });
      this.emit({
        type: 'response.content_part.done',
        item_id: open.id,
        output_index: open.outputIndex,
        content_index: 0,
        part: { type: 'reasoning_text', text: open.text },
      });
      this.emit({ type: 'response.reasoning_summary_text.done', item_id: open.id, output_index: open.outputIndex, summary_index: 0, text: open.text });
      this.emit({
        type: 'response.reasoning_summary_part.done',
        item_id: open.id,
        output_index: open.outputIndex,
        summary_index: 0,
        part: { type: 'summary_text', text: open.text },
      });
    }
    this.completeItem(open.outputIndex, {
      type: 'reasoning',
      id: open.id,
      summary: open.textStarted ? [{ type: 'summary_text', text: open.text }] : [],
      content: open.textStarted ? [{ type: 'reasoning_text', text: open.text }] : [],
      encrypted_content: encodeReasoningEnvelope({ details: open.details }),
      status,
    });
  }

  private closeToolCalls(status: ItemStatus): void {
    for (const call of this.toolCalls) this.closeToolCall(call, status);
  }

  private closeToolCall(call: ToolCallState, status: ItemStatus): void {
    if (call.closed) return;
    call.closed = true;
    if (!call.added) return; // never got a name: nothing was announced
    const item = toolCallItem(call, status);
    if (item.type === 'custom_tool_call') {
      this.emit({ type: 'response.custom_tool_call_input.done', item_id: call.itemId, output_index: call.outputIndex, input: item.input });
    } else if (item.type === 'function_call') {
      this.emit({ type: 'response.function_call_arguments.done', item_id: call.itemId, output_index: call.outputIndex, name: item.name, arguments: functionArguments(call) });
    }
    this.completeItem(call.outputIndex, item);
  }

  /** Opaque reasoning that came after its item closed (e.g. thought signatures on tool calls). */
  private emitLateReasoning(): void {
    const signatures: Record<string, string> = {};
    for (const call of this.toolCalls) if (call.added && call.signature) signatures[call.callId] = call.signature;
    const envelope = encodeReasoningEnvelope({ details: this.lateDetails, signatures });
    if (envelope === null) return;
    const id = this.options.createId('rs');
    const outputIndex = this.nextOutputIndex++;
    const item: OutputItem = { type: 'reasoning', id, summary: [], content: [], encrypted_content: envelope, status: 'completed' };
    this.items[outputIndex] = { ...item, status: 'in_progress' };
    this.emit({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, encrypted_content: null, status: 'in_progress' } });
    this.completeItem(outputIndex, item);
  }

  private completeItem(outputIndex: number, item: OutputItem): void {
    this.items[outputIndex] = item;
    this.doneItems.add(outputIndex);
    this.emit({ type: 'response.output_item.done', output_index: outputIndex, item });
  }

  // ---- terminal states and snapshots --------------------------------------------------------

  private failWith(failure: UpstreamFailure): void {
    if (this.phase === 'ended') return;
    this.reportLateOutput();
    this.phase = 'ended';
    this.status = 'failed';
    this.failureReason = failure;
    this.error = { code: responseErrorCode(failure), message: this.options.redactMessage ? this.options.redactMessage(failure.message) : failure.message };
    this.completedAt = this.options.now();
    this.emit({ type: 'response.failed', response: this.snapshot() });
  }

  private snapshot(): ResponseObject {
    const output: OutputItem[] = [];
    const final = this.phase === 'ended';
    for (let index = 0; index < this.items.length; index++) {
      const item = this.items[index];
      if (item === undefined) continue;
      if (final && !this.doneItems.has(index)) continue;
      output.push(this.doneItems.has(index) ? item : this.inProgressView(index, item));
    }
    return buildResponseObject(
      {
        id: this.options.responseId,
        createdAt: this.options.createdAt,
        status: this.status,
        completedAt: this.completedAt,
        error: this.error,
        incompleteReason: this.incompleteReason,
        output,
        usage: this.usage && this.phase === 'ended' ? toResponsesUsage(this.usage) : null,
      },
      this.options.echo,
    );
  }

  /** An item still streaming, as far as it has got (heartbeats must not lose it). */
  private inProgressView(index: number, item: OutputItem): OutputItem {
    const open = this.open;
    if (open && open.outputIndex === index) {
      if (open.kind === 'message') {
        return { type: 'message', id: open.id, status: 'in_progress', role: 'assistant', content: [{ type: 'output_text', text: open.text, annotations: [], logprobs: [] }] };
      }
      return {
        type: 'reasoning',
        id: open.id,
        summary: open.textStarted ? [{ type: 'summary_text', text: open.text }] : [],
        content: open.textStarted ? [{ type: 'reasoning_text', text: open.text }] : [],
        encrypted_content: null,
        status: 'in_progress',
      };
    }
    return { ...item };
  }

  /**
   * Stamps the next sequence number; `type` and `sequence_number` lead, as in OpenAI's own events.
   * Delta events skip this copy and are pushed whole with the same field order; SseEncoder
   * (server/sse-encoding.ts) serialises them field by field in that order.
   */
  private emit(event: { type: string; [field: string]: unknown }): void {
    const { type, ...rest } = event;
    this.events.push({ type, sequence_number: this.sequence++, ...rest });
  }
}

const BLANK = /^\s*$/;
