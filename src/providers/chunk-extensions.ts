/**
 * Fields some providers add to the Chat Completions chunk format, read
 * through the provider hooks (translation never looks for them itself):
 *
 * - Mistral streams reasoning as `thinking` content parts;
 * - Gemini puts a thought signature on tool calls
 *   (`extra_content.google.thought_signature`) that must go back with them;
 * - Groq repeats usage in `x_groq.usage`.
 *
 * Gateways and OpenAI-compatible servers pass these through unchanged, so the
 * generic hooks every profile starts from read all of them.
 */
import type { ChatChunk, ChatToolCallDelta, ChatUsage } from '../translate/chat-types.js';
import { isChatUsage, readChunkUsage } from '../translate/usage.js';

/** The reasoning text of a Mistral `thinking` content part (its text parts joined, or a plain string). */
export function readThinkingPart(part: Record<string, unknown>): string | undefined {
  if (part.type !== 'thinking') return undefined;
  const thinking = part.thinking;
  if (typeof thinking === 'string') return thinking;
  if (!Array.isArray(thinking)) return undefined;
  return thinking
    .map((inner) =>
      inner && typeof inner === 'object' && typeof (inner as { text?: unknown }).text === 'string'
        ? (inner as { text: string }).text
        : '',
    )
    .join('');
}

/** Gemini 3's thought signature on a streamed tool call. */
export function readGoogleThoughtSignature(fragment: ChatToolCallDelta): string | undefined {
  const extra = fragment.extra_content as { google?: { thought_signature?: unknown } } | undefined;
  const signature = extra?.google?.thought_signature;
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}

/** Usage where the Chat format puts it, else in Groq's `x_groq.usage`. */
export function readUsageWithGroq(chunk: ChatChunk): ChatUsage | undefined {
  const usage = readChunkUsage(chunk);
  if (usage) return usage;
  const groq = (chunk.x_groq as { usage?: unknown } | undefined)?.usage;
  return isChatUsage(groq) ? groq : undefined;
}
