/**
 * Conformance of what the relay emits: every Responses stream event must match
 * its schema in the official OpenAI spec (openai-spec.ts) and the ordering
 * rules strict clients enforce (stream-rules.ts).
 *
 * Three ways in:
 * - `checkEventStream(events)` / `assertConformantStream(events)` for a whole
 *   stream in hand (readSse, cassette replays, the checker's own tests);
 * - `conformanceObserver()`, which startTestRelay passes to the server, so every
 *   response the relay produces in the test suite is followed live, however the
 *   test reads it (raw fetch, the openai SDK, a Codex subprocess);
 * - `takeConformanceFindings()`, which the vitest setup file calls after each
 *   test to fail it when the relay broke a rule.
 *
 * Without `../shared` the ordering rules still run and schema validation is
 * skipped with a notice naming the missing spec (specMissingMessage).
 */

import type { ResponseObserver } from '../../src/server/turn-stream.js';
import type { ResponseStreamEvent } from '../../src/translate/stream/response-stream.js';
import { loadResponsesSchemas, type ResponsesSchemas } from './openai-spec.js';
import { StreamRuleChecker } from './stream-rules.js';

export { specMissingMessage } from './openai-spec.js';

/** Follows one stream: ordering rules and, when the spec is present, schemas. */
export class StreamConformance {
  /** Every violation so far, in the order of the events that caused them. */
  readonly violations: string[] = [];
  private readonly rules = new StreamRuleChecker();
  private schemas: ResponsesSchemas | null | undefined;
  private position = 0;

  /** `schemas: null` checks the ordering rules only (the checker's own tests). */
  constructor(options: { schemas?: ResponsesSchemas | null } = {}) {
    if (options.schemas !== undefined) this.schemas = options.schemas;
  }

  /** Checks the next event. */
  push(event: Record<string, unknown>): void {
    const position = this.position++;
    this.collectRuleViolations(() => this.rules.push(event));
    if (this.schemas === undefined) this.schemas = loadResponsesSchemas() ?? null;
    if (this.schemas === null) return;
    for (const problem of this.schemas.validateEvent(event))
      this.violations.push(`#${position} ${String(event?.type)}: schema: ${problem}`);
  }

  /** The stream is over; `aborted` when the client left before the end. */
  end(options: { aborted?: boolean } = {}): void {
    this.collectRuleViolations(() => this.rules.end(options));
  }

  private collectRuleViolations(step: () => void): void {
    const before = this.rules.violations.length;
    step();
    this.violations.push(...this.rules.violations.slice(before));
  }
}

/** Every rule and schema violation in a complete stream. */
export function checkEventStream(
  events: readonly Record<string, unknown>[],
  options: { aborted?: boolean; schemas?: ResponsesSchemas | null } = {},
): string[] {
  const checker = new StreamConformance(options.schemas === undefined ? {} : { schemas: options.schemas });
  for (const event of events) checker.push(event);
  checker.end(options);
  return checker.violations;
}

/** Throws a readable error listing every violation in a complete stream. */
export function assertConformantStream(events: readonly Record<string, unknown>[], label = 'stream'): void {
  const violations = checkEventStream(events);
  if (violations.length > 0) throw new ConformanceError(label, violations);
}

/** A stream that broke the rules, with every violation listed. */
export class ConformanceError extends Error {
  constructor(
    label: string,
    readonly violations: string[],
  ) {
    super(
      `${label} breaks the Responses conformance rules:\n  ${violations.slice(0, 30).join('\n  ')}${violations.length > 30 ? `\n  … ${violations.length - 30} more` : ''}`,
    );
    this.name = 'ConformanceError';
  }
}

// ---- live checking of everything the relay emits in a test process ----------------------------

const pendingFindings: string[] = [];

/** An observer for the relay server that checks each response as it is emitted. */
export function conformanceObserver(): ResponseObserver {
  const checker = new StreamConformance();
  let responseId = '(no events)';
  let reported = 0;
  const report = () => {
    const violations = checker.violations;
    for (const violation of violations.slice(reported)) pendingFindings.push(`response ${responseId}: ${violation}`);
    reported = violations.length;
  };
  return {
    events(events: readonly ResponseStreamEvent[]) {
      for (const event of events) {
        if (event.type === 'response.created')
          responseId = String((event.response as { id?: unknown } | undefined)?.id);
        checker.push({ ...event }); // a plain copy: the checker reads events as untyped JSON
      }
      report();
    },
    end(status) {
      checker.end({ aborted: status === 'aborted' });
      report();
    },
  };
}

/** Violations observed since the last call (and forgets them). */
export function takeConformanceFindings(): string[] {
  return pendingFindings.splice(0, pendingFindings.length);
}
