/**
 * Structured JSON logging (pino). Secrets are kept out twice: fields that hold
 * them are censored by name, and the configured secret values (upstream keys,
 * the relay's token) are replaced wherever they appear in a line, because an
 * upstream may echo a key inside an error message.
 */
import { type Logger, pino } from 'pino';
import type { LogLevel } from './log-levels.js';

export { LOG_LEVELS, type LogLevel } from './log-levels.js';
export type { Logger };

const REDACTED_PATHS = [
  'apiKey',
  '*.apiKey',
  'authToken',
  '*.authToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
];

/**
 * A JSON logger writing to stderr (stdout is kept for the `listening on` line);
 * `redact` (observability/redact.ts makes one) cleans every line before it is written.
 */
export function createLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stderr,
  redact?: (text: string) => string,
): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      ...(redact ? { hooks: { streamWrite: redact } } : {}),
    },
    destination,
  );
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
