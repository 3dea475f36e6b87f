/**
 * The stateless reasoning round trip. A reasoning item the relay emits carries
 * the provider's reasoning text in `content` and anything opaque the provider
 * needs back (OpenRouter `reasoning_details`, Gemini thought signatures) in
 * `encrypted_content`, as a versioned envelope. Clients echo both verbatim, so
 * the next request rebuilds the provider's reasoning fields without a lookup.
 */

const PREFIX = 'rr1:';

/** Opaque provider data that must go back to the provider unchanged. */
export interface ReasoningOpaque {
  /** OpenRouter-style `reasoning_details` entries, in order. */
  details?: unknown[];
  /** Gemini thought signatures by tool-call id. */
  signatures?: Record<string, string>;
}

/** Reasoning recovered from history, attached to the next assistant message. */
export interface ReasoningCarrier extends ReasoningOpaque {
  /** The reasoning text exactly as the provider produced it. */
  text: string;
}

/** Encodes opaque data; null when there is nothing to carry. */
export function encodeReasoningEnvelope(opaque: ReasoningOpaque): string | null {
  const payload: ReasoningOpaque = {};
  if (opaque.details && opaque.details.length > 0) payload.details = opaque.details;
  if (opaque.signatures && Object.keys(opaque.signatures).length > 0) payload.signatures = opaque.signatures;
  if (payload.details === undefined && payload.signatures === undefined) return null;
  return PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes an envelope this relay wrote; anything else (e.g. OpenAI's own) is ignored. */
export function decodeReasoningEnvelope(encrypted: string | null | undefined): ReasoningOpaque | undefined {
  if (typeof encrypted !== 'string' || !encrypted.startsWith(PREFIX)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encrypted.slice(PREFIX.length), 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object') return undefined;
    const value = parsed as Record<string, unknown>;
    const result: ReasoningOpaque = {};
    if (Array.isArray(value.details)) result.details = value.details;
    if (value.signatures && typeof value.signatures === 'object' && !Array.isArray(value.signatures)) {
      const signatures: Record<string, string> = {};
      for (const [key, signature] of Object.entries(value.signatures as Record<string, unknown>)) {
        if (typeof signature === 'string') signatures[key] = signature;
      }
      result.signatures = signatures;
    }
    return result;
  } catch {
    return undefined;
  }
}

/** Merges reasoning carriers of one assistant turn, keeping order. */
export function mergeReasoning(into: ReasoningCarrier | undefined, next: ReasoningCarrier): ReasoningCarrier {
  if (into === undefined) return next;
  const merged: ReasoningCarrier = { text: into.text + next.text };
  const details = [...(into.details ?? []), ...(next.details ?? [])];
  if (details.length > 0) merged.details = details;
  const signatures = { ...into.signatures, ...next.signatures };
  if (Object.keys(signatures).length > 0) merged.signatures = signatures;
  return merged;
}
