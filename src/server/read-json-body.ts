/** Reads a request body as JSON; anything else is a clear 400. */
import type { Context } from 'hono';
import { invalidRequest } from '../errors.js';

export async function readJsonBody(context: Context): Promise<unknown> {
  const text = await context.req.text();
  // Hono keeps the text for another read; nothing reads it again, and a streamed turn's context lives as long as
  // its stream: dropped, the text (often a two-byte string twice the body's size) dies young instead of being copied
  // by every scavenge and promoted.
  delete context.req.bodyCache.text;
  return parseJsonText(text);
}

/** Reads a request body as bytes (for a route that looks at them before parsing); parse them with `parseJsonBytes`. */
export async function readBodyBytes(context: Context): Promise<Buffer> {
  const bytes = Buffer.from(await context.req.arrayBuffer());
  // As for the text above: nothing reads it again.
  delete context.req.bodyCache.arrayBuffer;
  return bytes;
}

const decoder = new TextDecoder();

/** The body's bytes as JSON, decoded as `readJsonBody` reads them (UTF-8, a leading byte order mark dropped). */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return parseJsonText(decoder.decode(bytes));
}

function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw invalidRequest('The request body is empty; expected a JSON object.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidRequest(
      `We could not parse the JSON body of your request: ${(error as Error).message}`,
      null,
      'invalid_json',
    );
  }
}
