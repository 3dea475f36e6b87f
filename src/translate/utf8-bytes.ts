/** UTF-8 encoding of long texts in one pass. */

const encoder = new TextEncoder();
/** Texts at least this long are encoded through `scratch`. */
const SCRATCH_FROM_CHARACTERS = 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit; a longer text is encoded directly rather than held in a scratch this large. */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
let scratch = new Uint8Array(0);

/**
 * The UTF-8 bytes of `text`, in a buffer of their own. `Buffer.from` reads a
 * string twice (once to size the buffer, once to encode it); encoding into a
 * buffer that is surely large enough reads it once and copies the bytes,
 * about half the time for a Chat request of tens of kilobytes.
 */
export function utf8Bytes(text: string): Buffer {
  const most = text.length * 3;
  if (text.length < SCRATCH_FROM_CHARACTERS || most > SCRATCH_MAX_BYTES) return Buffer.from(text);
  if (scratch.length < most) scratch = new Uint8Array(Math.max(most, 64 * 1024));
  const { written } = encoder.encodeInto(text, scratch);
  return Buffer.from(scratch.subarray(0, written));
}
