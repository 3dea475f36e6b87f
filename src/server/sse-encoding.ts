/**
 * Responses events → SSE bytes. All events produced for one upstream read are
 * encoded into one string, so they reach the socket in one write.
 */
import type { ResponseEvent } from '../translate/stream/response-stream.js';

/** `event: <type>` + `data: <json>` blocks for every event, concatenated. */
export function encodeSseEvents(events: readonly ResponseEvent[]): string {
  let text = '';
  for (const event of events) text += `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return text;
}
