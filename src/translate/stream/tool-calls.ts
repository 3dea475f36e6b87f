/**
 * Streamed tool calls: which call a fragment belongs to, and the call ids a
 * turn hands out. Pure helpers for the stream state machines (the Responses
 * stream in tool-call-stream.ts, the Chat Completions pass-through in
 * chat/chat-stream.ts).
 */
import type { ChatToolCallDelta } from '../chat-types.js';

/** What matching needs to know of a call. */
export interface MatchableToolCall {
  index: number | undefined;
  upstreamId: string | undefined;
  /** Named, so announced to the client. */
  added: boolean;
}

/** One tool call of a Chat Completions stream as it streams in. */
export interface ToolCallState extends MatchableToolCall {
  upstreamName: string;
  arguments: string;
  callId: string;
  outputIndex: number;
  closed: boolean;
}

/** A call not yet announced. */
export function createToolCallState(index: number | undefined, upstreamId: string | undefined): ToolCallState {
  return {
    index,
    upstreamId,
    upstreamName: '',
    arguments: '',
    callId: '',
    outputIndex: -1,
    added: false,
    closed: false,
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
export function matchToolCall<Call extends MatchableToolCall>(
  calls: readonly Call[],
  fragment: ChatToolCallDelta,
  isWhole: (call: Call) => boolean,
): Call | undefined {
  const id = fragmentId(fragment);
  const index = typeof fragment.index === 'number' ? fragment.index : undefined;
  let candidate: Call | undefined;
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
  if (index === undefined && candidate?.added && namesTool && isWhole(candidate)) return undefined;
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
export function uniqueCallId(upstreamId: string, taken: ReadonlySet<string>): string {
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

/** Whether `text` is a whole JSON value (a longer stream could not still extend it). */
export function isWholeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
