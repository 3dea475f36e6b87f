/**
 * What goes out on a Responses WebSocket: every event the SSE stream carries,
 * as one JSON text frame each, and error events that always carry an HTTP
 * `status` (Codex ignores an error event without one and waits out its idle
 * timer). A turn's events are encoded by the same SseEncoder as on HTTP (its
 * `data:` lines are the JSON, byte for byte); each `data:` line becomes a frame.
 */
import { toErrorBody } from '../../errors.js';

const DATA_PREFIX = 'data: ';

/** The frames in a piece of SSE text (its `data:` lines), or in a piece of plain JSON lines. */
export function splitFrames(text: string): string[] {
  const frames: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('event: ')) continue;
    frames.push(line.startsWith(DATA_PREFIX) ? line.slice(DATA_PREFIX.length) : line);
  }
  return frames;
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
  return JSON.stringify({
    type: 'error',
    status: frameStatus,
    error: { ...body.error, message: redact(body.error.message) },
  });
}
