/**
 * The content of a `compaction` item the relay writes: the conversation's
 * summary in a versioned envelope, authenticated with HMAC-SHA256 under a key
 * the relay keeps. Clients send the item back verbatim; a tampered blob, or
 * one another server wrote (a session begun on OpenAI), does not decode.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'rc1.';

/** Wraps a summary; `key` is the relay's compaction key. */
export function encodeCompactionEnvelope(summary: string, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify({ summary }), 'utf8').toString('base64url');
  return `${PREFIX}${payload}.${sign(payload, key)}`;
}

/** The summary of an envelope this relay wrote with `key`; undefined for anything else. */
export function decodeCompactionEnvelope(content: unknown, key: Buffer): string | undefined {
  if (typeof content !== 'string' || !content.startsWith(PREFIX)) return undefined;
  const [payload, signature, ...rest] = content.slice(PREFIX.length).split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) return undefined;
  const expected = Buffer.from(sign(payload, key), 'base64url');
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const summary = (parsed as { summary?: unknown } | null)?.summary;
    return typeof summary === 'string' ? summary : undefined;
  } catch {
    return undefined;
  }
}

function sign(payload: string, key: Buffer): string {
  return createHmac('sha256', key).update(PREFIX).update(payload).digest('base64url');
}
