/** The log line for a change of a pooled key's status: named by its variable, never by its value. */
import type { Logger } from '../log.js';
import type { KeyEvent } from '../routing/key-pool.js';

/** A key set aside is a warning (someone must replace it); a rest or a recovery is information. */
export function logKeyEvent(log: Logger, provider: string, event: KeyEvent): void {
  const fields = {
    provider,
    key: event.variable,
    status: event.status,
    reason: event.reason,
    ...(event.restSeconds !== undefined ? { restSeconds: event.restSeconds } : {}),
  };
  if (event.status === 'set_aside')
    log.warn(fields, `upstream key ${event.variable} set aside: the other keys serve until the relay restarts`);
  else
    log.info(
      fields,
      event.status === 'resting'
        ? `upstream key ${event.variable} resting`
        : `upstream key ${event.variable} accepted again`,
    );
}
