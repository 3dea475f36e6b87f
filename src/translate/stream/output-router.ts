/**
 * Routes what a Chat delta carries to the items of the response: reasoning
 * (from any field, from content parts the provider hooks read, from think
 * tags), text and refusals, tool-call fragments, and tool calls recovered
 * from leaked markup. One message or reasoning item is open at a time; a new
 * kind of output closes it. Part of the stream state machine
 * (response-stream.ts). Pure.
 */

import type { ChatDelta } from '../chat-types.js';
import type { ProviderHooks } from '../provider-hooks.js';
import { encodeReasoningEnvelope } from '../reasoning-envelope.js';
import type { ToolNameMap } from '../tool-names.js';
import { type ContentSegment, type ContentSplitter, runSplitters, splittersPassThrough } from './content-splitter.js';
import { MessageBuilder } from './items/message-builder.js';
import { emitLateReasoning, ReasoningBuilder } from './items/reasoning-builder.js';
import type { ToolCallIdPrefix } from './items/tool-call-builders.js';
import { accumulateReasoningDetails, readDeltaReasoning } from './reasoning-reader.js';
import type { ItemStatus } from './response-object.js';
import type { StreamCoordinator } from './stream-coordinator.js';
import { ToolCallStream } from './tool-call-stream.js';

/** What the router reads of the stream's options (the current upstream's names and hooks). */
export interface RouterOptions {
  createId: (prefix: 'msg' | 'rs' | ToolCallIdPrefix | 'call') => string;
  names: ToolNameMap;
  hooks: Pick<ProviderHooks, 'createContentSplitters' | 'readReasoningPart' | 'readToolCallSignature'>;
}

export class OutputRouter {
  private readonly stream: StreamCoordinator;
  /** Read on every use: the upstream (names, hooks) may change before any output. */
  private readonly options: () => RouterOptions;
  private splitters: ContentSplitter[];
  private readonly toolCalls: ToolCallStream;
  /** The message or reasoning item streaming now, if any (tool calls are kept by toolCalls). */
  private open: MessageBuilder | ReasoningBuilder | undefined;
  /** Whitespace that arrived while no message was open; it starts one only if text follows. */
  private heldBlank = '';
  /** Opaque reasoning data that arrived after the reasoning item closed. */
  private readonly lateDetails: Array<Record<string, unknown>> = [];

  constructor(stream: StreamCoordinator, options: () => RouterOptions) {
    this.stream = stream;
    this.options = options;
    this.splitters = this.newSplitters();
    this.toolCalls = new ToolCallStream(stream, () => {
      const { names, createId, hooks } = this.options();
      return { names, createId, readSignature: hooks.readToolCallSignature };
    });
  }

  /** New splitters from the current hooks (the upstream changed). */
  useSplitters(): void {
    this.splitters = this.newSplitters();
  }

  /** Releases what the splitters still hold (the stream ended). */
  flushSplitters(): void {
    this.pushSegments(runSplitters(this.splitters, '', true));
  }

  /** Closes every open item. */
  closeAll(status: ItemStatus): void {
    this.closeOpenItem(status);
    this.toolCalls.closeAll(status);
  }

  /** The finish reason of a stream that ended with `[DONE]` and none (see ToolCallStream). */
  inferFinishReason(): string | undefined {
    return this.toolCalls.inferFinishReason();
  }

  /** Opaque reasoning that came after its item closed (e.g. thought signatures on tool calls), as one last item. */
  emitLateReasoning(): void {
    const envelope = encodeReasoningEnvelope({ details: this.lateDetails, signatures: this.toolCalls.signatures() });
    if (envelope !== null) emitLateReasoning(this.stream, this.options().createId('rs'), envelope);
  }

  onDelta(delta: ChatDelta): void {
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
      for (const fragment of delta.tool_calls) {
        this.heldBlank = '';
        this.closeOpenItem('completed');
        this.toolCalls.onFragment(fragment);
      }
    }
  }

  /** Content given as an array of parts: text, and whatever reasoning parts the provider reads. */
  private onContentParts(parts: unknown[]): void {
    for (const part of parts) {
      if (part === null || typeof part !== 'object') continue;
      const record = part as Record<string, unknown>;
      if (record.type === 'text') {
        if (typeof record.text === 'string' && record.text !== '') this.onContentText(record.text);
        continue;
      }
      const reasoning = this.options().hooks.readReasoningPart(record);
      if (reasoning !== undefined && reasoning !== '') this.onReasoning(reasoning, undefined);
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
      else {
        this.heldBlank = '';
        this.closeOpenItem('completed');
        this.toolCalls.onWholeCall(segment.name, segment.arguments);
      }
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
      this.toolCalls.closeAll('completed');
      open = ReasoningBuilder.open(this.stream, this.options().createId('rs'));
      this.open = open;
    }
    open.append(text, details);
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
      this.toolCalls.closeAll('completed');
      open = MessageBuilder.open(this.stream, this.options().createId('msg'));
      this.open = open;
    }
    open.append(text);
  }

  private closeOpenItem(status: ItemStatus): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    open.close(status);
  }

  private newSplitters(): ContentSplitter[] {
    const { hooks, names } = this.options();
    return hooks.createContentSplitters(names);
  }
}

const BLANK = /^\s*$/;
