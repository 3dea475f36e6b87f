/**
 * Vitest setup (every test file): a test fails when any response the relay
 * emitted during it broke the Responses conformance rules, whichever way the
 * test read it. See conformance.ts.
 */
import { afterEach } from 'vitest';
import { specMissingMessage, takeConformanceFindings } from './conformance.js';

const missing = specMissingMessage();
if (missing !== undefined) {
  console.warn(`Relay events are checked against the ordering rules only; schema validation is skipped: ${missing}`);
}

afterEach(() => {
  const findings = takeConformanceFindings();
  if (findings.length > 0) {
    throw new Error(
      `The relay emitted events that break the Responses conformance rules:\n  ${findings.slice(0, 40).join('\n  ')}${findings.length > 40 ? `\n  … ${findings.length - 40} more` : ''}`,
    );
  }
});
