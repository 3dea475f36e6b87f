/**
 * Reads reasoning from a Chat delta wherever a provider puts it:
 * `reasoning_content` (DeepSeek, Kimi, xAI, llama.cpp), `reasoning` (OpenRouter,
 * Groq, Ollama, vLLM) and `reasoning_details[]` (OpenRouter; kept whole so it
 * can go back unchanged). Reasoning in content parts (Mistral `thinking`
 * chunks) is read through the `readReasoningPart` provider hook.
 */
import type { ChatDelta } from '../chat-types.js';

export interface DeltaReasoning {
  text: string;
  details: unknown[] | undefined;
}

/** The reasoning in one delta, or undefined when there is none. */
export function readDeltaReasoning(delta: ChatDelta): DeltaReasoning | undefined {
  const details =
    Array.isArray(delta.reasoning_details) && delta.reasoning_details.length > 0 ? delta.reasoning_details : undefined;
  let text: string | undefined;
  if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') text = delta.reasoning_content;
  else if (typeof delta.reasoning === 'string' && delta.reasoning !== '') text = delta.reasoning;
  else if (details) text = detailsText(details);
  if (text === undefined && details === undefined) return undefined;
  return { text: text ?? '', details };
}

/** Readable text inside reasoning_details entries (encrypted entries have none). */
function detailsText(details: readonly unknown[]): string {
  let text = '';
  for (const entry of details) {
    if (entry === null || typeof entry !== 'object') continue;
    const record = entry as Record<string, unknown>;
    if (record.type === 'reasoning.text' && typeof record.text === 'string') text += record.text;
    else if (record.type === 'reasoning.summary' && typeof record.summary === 'string') text += record.summary;
  }
  return text;
}

const STRING_FIELDS = ['text', 'summary', 'data'] as const;

/**
 * Streamed reasoning_details arrive piece by piece; pieces with the same
 * `index` (or, without one, the same type directly after each other) are one
 * entry. Strings are joined and other fields take the latest value, which is
 * the entry the provider would have sent whole.
 */
export function accumulateReasoningDetails(
  entries: Array<Record<string, unknown>>,
  incoming: readonly unknown[],
): void {
  for (const piece of incoming) {
    if (piece === null || typeof piece !== 'object') continue;
    const record = piece as Record<string, unknown>;
    const last = entries[entries.length - 1];
    const sameEntry =
      last !== undefined &&
      last.type === record.type &&
      (record.index !== undefined ? last.index === record.index : last.index === undefined);
    if (!sameEntry) {
      entries.push({ ...record });
      continue;
    }
    for (const [key, value] of Object.entries(record)) {
      if (
        (STRING_FIELDS as readonly string[]).includes(key) &&
        typeof value === 'string' &&
        typeof last[key] === 'string'
      ) {
        last[key] = (last[key] as string) + value;
      } else if (value !== null && value !== undefined) {
        last[key] = value;
      }
    }
  }
}
