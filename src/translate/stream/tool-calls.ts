/**
 * Streamed tool calls: which call a fragment belongs to, when a call's
 * arguments are complete, and the output items a call becomes. Pure helpers
 * for the stream state machine (response-stream.ts).
 */
import type { ChatToolCallDelta } from '../chat-types.js';
import { CUSTOM_TOOL_INPUT_FIELD } from '../request/convert-tools.js';
import type { ToolTarget } from '../tool-names.js';
import type { JsonStringFieldDecoder } from './json-string-field-decoder.js';
import type { ItemStatus, OutputItem } from './response-object.js';

/** One tool call as it streams in. */
export interface ToolCallState {
  index: number | undefined;
  upstreamId: string | undefined;
  upstreamName: string;
  arguments: string;
  /** Arguments received before the item could be announced. */
  pendingArguments: string;
  target: ToolTarget | undefined;
  itemId: string;
  callId: string;
  outputIndex: number;
  added: boolean;
  closed: boolean;
  decoder: JsonStringFieldDecoder | undefined;
  signature: string | undefined;
}

/** A call not yet announced. */
export function createToolCallState(index: number | undefined, upstreamId: string | undefined): ToolCallState {
  return {
    index,
    upstreamId,
    upstreamName: '',
    arguments: '',
    pendingArguments: '',
    target: undefined,
    itemId: '',
    callId: '',
    outputIndex: -1,
    added: false,
    closed: false,
    decoder: undefined,
    signature: undefined,
  };
}

/**
 * The call a fragment continues, or undefined when it starts a new one.
 * Fragments are matched by index, else by id, else they continue the latest
 * call; a new id at a known index is a new call (some providers put every
 * call at index 0), and so is a named fragment without an index once the
 * call it would continue is complete (Gemini sends whole calls that way, and
 * some servers repeat one id for parallel calls).
 */
export function matchToolCall(calls: readonly ToolCallState[], fragment: ChatToolCallDelta): ToolCallState | undefined {
  const id = fragmentId(fragment);
  const index = typeof fragment.index === 'number' ? fragment.index : undefined;
  let candidate: ToolCallState | undefined;
  for (let position = calls.length - 1; position >= 0 && candidate === undefined; position--) {
    const call = calls[position]!;
    if (index !== undefined) {
      if (call.index === index) candidate = call;
    } else if (id !== undefined) {
      if (call.upstreamId === id) candidate = call;
    } else {
      candidate = call;
    }
  }
  const namesTool = typeof fragment.function?.name === 'string' && fragment.function.name !== '';
  // Without an index, a named fragment after a whole call starts a new call, even under the same id.
  if (index === undefined && candidate?.added && namesTool && argumentsComplete(candidate)) return undefined;
  if (id !== undefined && candidate?.upstreamId !== undefined && candidate.upstreamId !== id) return undefined;
  return candidate;
}

/**
 * A call id no other call of the turn has: Codex matches outputs to calls by
 * id, so two calls sharing one would break the next turn's history. A repeat
 * keeps the provider's format where it can — a trailing number counts on
 * (`functions.read:0` → `functions.read:1`, Kimi), anything else gets `_2`,
 * `_3`… The new id is what the model sees for that call from then on.
 */
export function uniqueCallId(upstreamId: string, calls: readonly ToolCallState[]): string {
  const taken = new Set(calls.filter((call) => call.added).map((call) => call.callId));
  if (!taken.has(upstreamId)) return upstreamId;
  const numbered = /^(.*?)(\d+)$/.exec(upstreamId);
  for (let step = 1; ; step++) {
    const candidate = numbered
      ? `${numbered[1]}${String(BigInt(numbered[2]!) + BigInt(step)).padStart(numbered[2]!.length, '0')}`
      : `${upstreamId}_${step + 1}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The id a fragment carries, if any. */
export function fragmentId(fragment: ChatToolCallDelta): string | undefined {
  return typeof fragment.id === 'string' && fragment.id !== '' ? fragment.id : undefined;
}

/** Whether the arguments so far are a whole JSON value (a longer stream could not still extend them). */
export function argumentsComplete(call: ToolCallState): boolean {
  if (call.target?.kind === 'custom' && call.decoder) {
    // Raw (non-JSON) custom input cannot be judged; treat it as complete.
    const text = call.arguments.trimStart();
    if (text !== '' && !text.startsWith('{')) return true;
  }
  try {
    JSON.parse(call.arguments);
    return true;
  } catch {
    return false;
  }
}

/**
 * The finish reason of a stream that ended properly with `[DONE]` but never
 * sent one (some servers and gateways): the model stopped, or called tools if
 * every call it made is whole. A call cut off mid-arguments gives none.
 */
export function finishReasonFromCalls(calls: readonly ToolCallState[]): string | undefined {
  const announced = calls.filter((call) => call.added);
  if (announced.length === 0) return 'stop';
  return announced.every(argumentsComplete) ? 'tool_calls' : undefined;
}

/** The output item of an announced call: empty while in progress, whole when done. */
export function toolCallItem(call: ToolCallState, status: ItemStatus): OutputItem {
  const target = call.target!;
  const namespace = target.namespace !== undefined ? { namespace: target.namespace } : {};
  const done = status !== 'in_progress';
  if (target.kind === 'custom') {
    return { type: 'custom_tool_call', id: call.itemId, call_id: call.callId, name: target.name, ...namespace, input: done ? customToolInput(call.arguments) : '', status };
  }
  if (target.kind === 'tool_search') {
    return { type: 'tool_search_call', id: call.itemId, call_id: call.callId, execution: 'client', arguments: done ? parseObject(call.arguments) : {}, status };
  }
  // An empty list says no argument is encrypted (Codex would otherwise take marked fields as ciphertext).
  const plaintext = target.plaintextArguments ? { encrypted_function_args: [] } : {};
  return { type: 'function_call', id: call.itemId, call_id: call.callId, name: target.name, ...namespace, arguments: done ? functionArguments(call) : '', ...plaintext, status };
}

/** A function call's final arguments; an empty string becomes `{}`. */
export function functionArguments(call: ToolCallState): string {
  return call.arguments.trim() === '' ? '{}' : call.arguments;
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

/** Gemini 3 puts a thought signature on tool calls; it must go back with them. */
export function readThoughtSignature(fragment: ChatToolCallDelta): string | undefined {
  const extra = fragment.extra_content as { google?: { thought_signature?: unknown } } | undefined;
  const signature = extra?.google?.thought_signature;
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}
