/**
 * Parses upstream `data:` payloads, with a shortcut for the chunk that makes
 * up most of a stream: the same envelope as the chunk before, with only the
 * text in `delta.content` changed. Most providers repeat the id, model and
 * timestamp in every chunk, so once a text chunk has been parsed in full, a
 * later payload that is byte for byte that chunk's envelope around a new
 * string is that chunk with new text. Only the string is decoded; anything
 * else goes through JSON.parse. The result is the same object JSON.parse
 * would give, less the fields the translator never reads.
 */
import type { ChatChunk } from '../translate/chat-types.js';

const CONTENT_KEY = '"content":';
/** A JSON string body with nothing that needs decoding. */
const PLAIN_STRING_BODY = /^[^"\\\u0000-\u001f]*$/;
/** A JSON string body with escapes, as JSON allows them. */
const ESCAPED_STRING_BODY = /^(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*$/;

export class ChunkReader {
  /** The envelope of the last text-only chunk: everything before and after its content string. */
  private prefix: string | undefined;
  private suffix: string | undefined;

  /** Parses one payload; throws like JSON.parse on one that is not JSON. */
  read(data: string): unknown {
    const { prefix, suffix } = this;
    if (prefix !== undefined && suffix !== undefined && data.length >= prefix.length + suffix.length && data.startsWith(prefix) && data.endsWith(suffix)) {
      const body = data.slice(prefix.length, data.length - suffix.length);
      const content = PLAIN_STRING_BODY.test(body) ? body : ESCAPED_STRING_BODY.test(body) ? (JSON.parse(`"${body}"`) as string) : undefined;
      if (content !== undefined) return { choices: [{ index: 0, delta: { content }, finish_reason: null }] } satisfies ChatChunk;
    }
    const parsed: unknown = JSON.parse(data);
    this.learn(data, parsed);
    return parsed;
  }

  /** Remembers the envelope of a chunk that carries nothing but text. */
  private learn(data: string, parsed: unknown): void {
    this.prefix = undefined;
    this.suffix = undefined;
    const content = textOnlyContent(parsed);
    if (content === undefined) return;
    const value = JSON.stringify(content);
    const at = data.indexOf(CONTENT_KEY + value);
    // The provider escaped the text differently, or the same bytes appear twice: no shortcut.
    if (at === -1 || data.indexOf(CONTENT_KEY + value, at + 1) !== -1) return;
    const valueStart = at + CONTENT_KEY.length;
    this.prefix = data.slice(0, valueStart + 1);
    this.suffix = data.slice(valueStart + value.length - 1);
  }
}

/** Top-level fields no provider hook reads. A chunk with any other field is always parsed in full. */
const ENVELOPE_FIELDS = new Set(['id', 'object', 'created', 'model', 'system_fingerprint', 'service_tier', 'provider', 'choices']);

/**
 * The text of a chunk whose only meaningful content is one text delta: one
 * choice, a delta with nothing but `content`, no finish reason, no usage, and
 * nothing at the top level but the envelope fields above.
 */
function textOnlyContent(parsed: unknown): string | undefined {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const chunk = parsed as ChatChunk;
  for (const key of Object.keys(chunk)) if (!ENVELOPE_FIELDS.has(key)) return undefined;
  if (!Array.isArray(chunk.choices) || chunk.choices.length !== 1) return undefined;
  const choice = chunk.choices[0]!;
  if (choice.finish_reason != null || choice.usage != null) return undefined;
  const choiceKeys = Object.keys(choice);
  if (choiceKeys.some((key) => key !== 'index' && key !== 'delta' && key !== 'finish_reason' && key !== 'logprobs')) return undefined;
  if (choice.index !== undefined && choice.index !== 0) return undefined;
  const delta = choice.delta;
  if (delta === null || typeof delta !== 'object') return undefined;
  const deltaKeys = Object.keys(delta);
  if (deltaKeys.length !== 1 || deltaKeys[0] !== 'content' || typeof delta.content !== 'string' || delta.content === '') return undefined;
  return delta.content;
}
