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

/** Fields whose values are secrets, censored in a line's fields and in any object one level down. */
const SECRET_FIELDS = ['apiKey', 'authToken', 'authorization'];
/** Header names whose values are secrets, censored in a `headers` object at either level. */
const SECRET_HEADERS = ['authorization', 'x-api-key'];
const CENSOR = '[redacted]';

/**
 * The fields of a line (or a child logger's bindings) with secret fields
 * censored: `apiKey`, `authToken`, `authorization`, `headers.authorization`
 * and `headers["x-api-key"]`, on the line itself and on any object it holds.
 * Returns `fields` itself when there is nothing to censor (nearly always, at
 * the cost of a look at each field); otherwise copies, never changing the
 * caller's objects. Written out rather than given to pino as redaction paths:
 * pino's wildcard paths doubled the cost of every line (about 10 µs).
 */
export function censorSecretFields(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (!Object.hasOwn(fields, key)) continue;
    const value = fields[key];
    const censored = SECRET_FIELDS.includes(key)
      ? value === undefined
        ? value
        : CENSOR
      : censorNested(key === 'headers' ? censorFields(value, SECRET_HEADERS) : value);
    if (censored !== value) {
      copy ??= { ...fields };
      copy[key] = censored;
    }
  }
  return copy ?? fields;
}

/** An object one level down, with its secret fields and its `headers`' secret headers censored. */
function censorNested(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const own = censorFields(value, SECRET_FIELDS) as object;
  const headers = (own as { headers?: unknown }).headers;
  const censoredHeaders = Object.hasOwn(own, 'headers') ? censorFields(headers, SECRET_HEADERS) : headers;
  if (censoredHeaders === headers) return own;
  const copy = own === value ? copyOf(value) : own;
  (copy as { headers?: unknown }).headers = censoredHeaders;
  return copy;
}

/** `value` with the named own fields that are set replaced by the censor, copied only if one is. */
function censorFields(value: unknown, names: readonly string[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  let copy: Record<string, unknown> | undefined;
  for (const name of names) {
    if (!Object.hasOwn(value, name) || (value as Record<string, unknown>)[name] === undefined) continue;
    copy ??= copyOf(value);
    copy[name] = CENSOR;
  }
  return copy ?? value;
}

/** A copy with the same prototype and own properties, so an error stays an error (message and stack included). */
function copyOf(value: object): Record<string, unknown> {
  return Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value)) as Record<
    string,
    unknown
  >;
}

/**
 * A JSON logger writing to stderr (stdout is kept for the `listening on` line);
 * `redact` (observability/redact.ts makes one) cleans every line before it is written.
 */
export function createLogger(
  level: LogLevel,
  destination: NodeJS.WritableStream = process.stderr,
  redact?: (text: string) => string,
): Logger {
  const logger = pino(
    {
      level,
      base: undefined,
      formatters: { log: censorSecretFields },
      ...(redact ? { hooks: { streamWrite: redact } } : {}),
    },
    destination,
  );
  // pino formats only the root logger's bindings; a child's are censored as it is made (children inherit this).
  const child = logger.child;
  logger.child = function censoredChild(this: Logger, bindings, options) {
    return child.call(this, censorSecretFields(bindings), options);
  } as typeof child;
  return logger;
}

/** A logger that drops everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
