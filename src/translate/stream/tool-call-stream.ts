/**
 * The tool calls of one Responses stream: fragments matched to their call,
 * arguments held until the call has a name, each call announced through the
 * builder of its kind and closed when it is done. A call is closed when the
 * next one starts and its arguments already parse, so parallel calls stream
 * in order without cutting one short. Pure.
 */
import type { ChatToolCallDelta } from '../chat-types.js';
import type { ToolNameMap } from '../tool-names.js';
import { openToolCall, type ToolCallBuilder, type ToolCallIdPrefix } from './items/tool-call-builders.js';
import type { ItemStatus } from './response-object.js';
import type { StreamCoordinator } from './stream-coordinator.js';
import { fragmentId, type MatchableToolCall, matchToolCall, uniqueCallId } from './tool-calls.js';

/** One call as it streams in; `builder` once it has a name and was announced. */
interface StreamedToolCall extends MatchableToolCall {
  upstreamName: string;
  /** Arguments received before the call could be announced. */
  pendingArguments: string;
  /** An opaque signature the provider put on the call; it goes back with the call's id. */
  signature: string | undefined;
  closed: boolean;
  builder: ToolCallBuilder | undefined;
}

export interface ToolCallStreamOptions {
  names: ToolNameMap;
  createId: (prefix: ToolCallIdPrefix | 'call') => string;
  readSignature: (fragment: ChatToolCallDelta) => string | undefined;
}

export class ToolCallStream {
  private readonly calls: StreamedToolCall[] = [];
  private readonly stream: StreamCoordinator;
  /** Read on every use: the upstream (and with it the names and hooks) may change before any output. */
  private readonly options: () => ToolCallStreamOptions;

  constructor(stream: StreamCoordinator, options: () => ToolCallStreamOptions) {
    this.stream = stream;
    this.options = options;
  }

  /** One streamed fragment (the caller has closed any open message or reasoning). */
  onFragment(fragment: ChatToolCallDelta): void {
    const call = this.findOrCreate(fragment);
    if (call.closed) return; // a stray fragment after the call was complete
    const name = fragment.function?.name;
    if (typeof name === 'string' && name !== '' && !call.added) call.upstreamName += name;
    const signature = this.options().readSignature(fragment);
    if (signature) call.signature = signature;
    const argumentsPiece = fragment.function?.arguments;
    if (typeof argumentsPiece === 'string' && argumentsPiece !== '') {
      if (call.builder) call.builder.append(argumentsPiece);
      else call.pendingArguments += argumentsPiece;
    }
    if (!call.added && call.upstreamName !== '') {
      const builder = this.announce(call);
      if (call.pendingArguments !== '') {
        const pending = call.pendingArguments;
        call.pendingArguments = '';
        builder.append(pending);
      }
    }
  }

  /** A call recovered whole from text (leaked markup): announced, given its arguments and closed. */
  onWholeCall(name: string, args: string): void {
    this.closeAll('completed');
    const call = this.create(undefined, undefined);
    call.upstreamName = name;
    this.announce(call).append(args);
    this.close(call, 'completed');
  }

  closeAll(status: ItemStatus): void {
    for (const call of this.calls) this.close(call, status);
  }

  /**
   * The finish reason of a stream that ended properly with `[DONE]` but never
   * sent one (some servers and gateways): the model stopped, or called tools if
   * every call it made is whole. A call cut off mid-arguments gives none.
   */
  inferFinishReason(): string | undefined {
    const announced = this.calls.filter((call) => call.added);
    if (announced.length === 0) return 'stop';
    return announced.every(isWhole) ? 'tool_calls' : undefined;
  }

  /** The signatures of announced calls, by call id. */
  signatures(): Record<string, string> {
    const signatures: Record<string, string> = {};
    for (const call of this.calls) if (call.builder && call.signature) signatures[call.builder.callId] = call.signature;
    return signatures;
  }

  private findOrCreate(fragment: ChatToolCallDelta): StreamedToolCall {
    const id = fragmentId(fragment);
    const existing = matchToolCall(this.calls, fragment, isWhole);
    if (existing) {
      if (existing.upstreamId === undefined && id !== undefined) existing.upstreamId = id;
      return existing;
    }
    // Sequential streaming: an earlier call is complete once its arguments parse.
    for (const call of this.calls) {
      if (!call.closed && isWhole(call)) this.close(call, 'completed');
    }
    return this.create(typeof fragment.index === 'number' ? fragment.index : undefined, id);
  }

  private create(index: number | undefined, upstreamId: string | undefined): StreamedToolCall {
    const call: StreamedToolCall = {
      index,
      upstreamId,
      upstreamName: '',
      pendingArguments: '',
      signature: undefined,
      added: false,
      closed: false,
      builder: undefined,
    };
    this.calls.push(call);
    return call;
  }

  private announce(call: StreamedToolCall): ToolCallBuilder {
    const { names, createId } = this.options();
    const target = names.resolve(call.upstreamName);
    const callId = call.upstreamId === undefined ? createId('call') : uniqueCallId(call.upstreamId, this.callIds());
    const builder = openToolCall(this.stream, target, callId, createId);
    call.builder = builder;
    call.added = true;
    return builder;
  }

  private callIds(): Set<string> {
    const ids = new Set<string>();
    for (const call of this.calls) if (call.builder) ids.add(call.builder.callId);
    return ids;
  }

  private close(call: StreamedToolCall, status: ItemStatus): void {
    if (call.closed) return;
    call.closed = true;
    call.builder?.close(status); // a call that never got a name was never announced
  }
}

/** Whether an announced call's arguments are whole. */
function isWhole(call: StreamedToolCall): boolean {
  return call.builder?.argumentsComplete() === true;
}
