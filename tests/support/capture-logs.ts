/** A logger whose lines a test can read back, parsed. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';
import { createRedactor } from '../../src/observability/redact.js';

export interface CapturedLogs {
  logger: Logger;
  /** The raw lines written so far. */
  lines: string[];
  records: () => Array<Record<string, any>>;
}

/** A debug-level logger that redacts `secrets`, writing into memory. */
export function captureLogs(secrets: string[] = []): CapturedLogs {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  const logger = createLogger('debug', destination, createRedactor(secrets));
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, any>) };
}
