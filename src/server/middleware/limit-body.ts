/**
 * The largest request body the relay reads (`--max-body-mb`): past it, a 413
 * in the OpenAI error shape before the body is read (Content-Length) or as
 * soon as the limit is crossed (chunked). Codex sends images inline as data
 * URLs, so the default leaves room for several screenshots.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { RelayError } from '../../errors.js';
import type { RelayEnv } from '../relay-env.js';

export const limitBody = (maxBytes: number): MiddlewareHandler<RelayEnv> => {
  const tooLarge = (): never => {
    throw new RelayError(
      `The request body is larger than this relay accepts (${formatMegabytes(maxBytes)} MB). The relay's operator can raise the limit with --max-body-mb.`,
      { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
    );
  };
  const countWhileReading = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async function limitBodyMiddleware(context, next) {
    // With a Content-Length the header alone decides, and the body is left untouched
    // so the server can hand it to the route without a web stream in between.
    const length = context.req.header('content-length');
    if (length !== undefined && context.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBytes) tooLarge();
      return next();
    }
    return countWhileReading(context, next);
  };
};

function formatMegabytes(bytes: number): string {
  const megabytes = bytes / (1024 * 1024);
  return Number.isInteger(megabytes) ? String(megabytes) : megabytes.toFixed(2);
}
