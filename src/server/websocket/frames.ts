/**
 * What goes out on a Responses WebSocket: every event the SSE stream carries,
 * as one JSON text frame each, and error events that always carry an HTTP
 * `status` (Codex ignores an error event without one and waits out its idle
 * timer). The frame encoder joins a batch's events with newlines, which
 * JSON.stringify never writes inside an event, so a piece of text splits
 * back into frames without parsing.
 */
import { toErrorBody } from '../../errors.js';
import type { ResponseEvent } from '../../translate/stream/response-stream.js';

/** Events → newline-separated JSON texts, one per frame. */
export const frameEncoder = {
  encode(events: readonly ResponseEvent[]): string {
    let text = '';
    for (const event of events) text += `${JSON.stringify(event)}\n`;
    return text;
  },
};

/** The frames in a piece of encoded text. */
export function splitFrames(text: string): string[] {
  return text.split('\n').filter((frame) => frame !== '');
}

/**
 * The error event for an error the relay raised before a response started.
 * A missing previous response is a 400 here, as Codex expects: it then
 * reconnects and sends the whole history.
 */
export function errorFrame(error: unknown, redact: (text: string) => string): string {
  const { status, body } = toErrorBody(error);
  const code = body.error.code;
  const frameStatus = code === 'previous_response_not_found' ? 400 : status;
  return JSON.stringify({ type: 'error', status: frameStatus, error: { ...body.error, message: redact(body.error.message) } });
}
