/**
 * Keeps configured secrets (upstream keys, the relay's own token) out of
 * everything the relay writes: error messages to clients, log lines, doctor
 * output. Upstreams sometimes echo the key they were sent in an error body,
 * so redaction works on the text itself, not on field names.
 */

/** Shorter values are not redacted: they are not secrets, and replacing them would mangle ordinary words. */
export const MIN_SECRET_LENGTH = 8;

export const REDACTED = '[redacted]';

/** Returns text with every occurrence of a secret replaced by `[redacted]`. */
export type Redactor = (text: string) => string;

/** A redactor for the given secrets (undefined and short values are ignored). */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const words = [
    ...new Set(
      secrets.filter((secret): secret is string => secret !== undefined && secret.length >= MIN_SECRET_LENGTH),
    ),
  ].sort((a, b) => b.length - a.length);
  if (words.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const word of words) if (result.includes(word)) result = result.split(word).join(REDACTED);
    return result;
  };
}
