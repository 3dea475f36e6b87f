/**
 * The conformance checker must reject every kind of broken stream, or passing
 * it proves nothing. Each test breaks one rule in a copy of a conformant
 * stream and expects the violation that names it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkEventStream } from '../support/conformance.js';
import { CODEX_FAILURE_CODES, loadResponsesSchemas, specMissingMessage } from '../support/openai-spec.js';
import { missingSharedMessage, sharedPath } from '../support/shared-material.js';
import { conformantStream, failedResponse, indexOf, renumber } from './stream-fixture.js';

type Event = Record<string, any>;

/** Ordering rules only: these tests do not depend on ../shared. */
function rules(events: Event[], options: { aborted?: boolean } = {}): string[] {
  return checkEventStream(events, { ...options, schemas: null });
}

function without(events: Event[], index: number): Event[] {
  return renumber(events.filter((_, position) => position !== index));
}

function moved(events: Event[], from: number, to: number): Event[] {
  const copy = [...events];
  const [event] = copy.splice(from, 1);
  copy.splice(to, 0, event!);
  return renumber(copy);
}

describe('ordering rules', () => {
  it('accept the conformant stream, and a stream the client abandoned without a terminal event', () => {
    expect(rules(conformantStream())).toEqual([]);
    const events = conformantStream();
    expect(rules(events.slice(0, 15), { aborted: true })).toEqual([]);
  });

  it('require response.created first with sequence_number 0', () => {
    const events = conformantStream();
    expect(rules(moved(events, 0, 1)).join('\n')).toMatch(
      /#0 response.in_progress: the first event must be response.created/,
    );
    const shifted = conformantStream().map((event) => ({ ...event, sequence_number: event.sequence_number + 1 }));
    expect(rules(shifted)[0]).toMatch(/#0 response.created: sequence_number 1, expected 0/);
  });

  it('require sequence numbers to grow by exactly one', () => {
    const gap = conformantStream();
    gap[5]!.sequence_number = 6;
    expect(rules(gap)).toContain('#5 response.reasoning_summary_text.delta: sequence_number 6, expected 5');
    const repeated = conformantStream();
    repeated[7]!.sequence_number = 6;
    expect(rules(repeated)).toContain('#7 response.reasoning_text.done: sequence_number 6, expected 7');
  });

  it('require output_item.added at the next output_index', () => {
    const events = conformantStream();
    events[indexOf(events, 'response.output_item.added', 1)]!.output_index = 2;
    expect(rules(events).join('\n')).toMatch(/output_item.added: output_index 2, expected the next index 1/);
  });

  it('reject a delta for an item that was never added', () => {
    const events = conformantStream();
    const delta = indexOf(events, 'response.output_text.delta');
    const early = moved(events, delta, indexOf(events, 'response.output_item.added', 1));
    expect(rules(early).join('\n')).toMatch(/output_text.delta: refers to output_index 1, which was never added/);
  });

  it('reject a delta for an item that is already done', () => {
    const events = conformantStream();
    const late = moved(
      events,
      indexOf(events, 'response.function_call_arguments.delta', 1),
      indexOf(events, 'response.output_item.done', 2),
    );
    expect(rules(late).join('\n')).toMatch(/function_call_arguments.delta: refers to item 2, which is already done/);
  });

  it('reject a delta whose item_id is not the item at its output_index', () => {
    const events = conformantStream();
    events[indexOf(events, 'response.output_text.delta')]!.item_id = 'msg_other';
    expect(rules(events).join('\n')).toMatch(/item_id msg_other is not the id of item 1 \(msg_1\)/);
  });

  it('reject a text delta for a content part that was never added, or is done', () => {
    const missing = conformantStream();
    missing[indexOf(missing, 'response.output_text.delta')]!.content_index = 1;
    expect(rules(missing).join('\n')).toMatch(/output_text.delta: refers to content part 1, which was never added/);
    const events = conformantStream();
    const afterPartDone = moved(
      events,
      indexOf(events, 'response.output_text.delta', 1),
      indexOf(events, 'response.content_part.done', 1),
    );
    expect(rules(afterPartDone).join('\n')).toMatch(
      /output_text.delta: (delta after the text was done|refers to content part 0, which is already done)/,
    );
  });

  it('require content and summary parts to be added at the next index', () => {
    const events = conformantStream();
    events[indexOf(events, 'response.content_part.added', 1)]!.content_index = 1;
    expect(rules(events).join('\n')).toMatch(/content_part.added: content index 1, expected the next index 0/);
    const summary = conformantStream();
    summary[indexOf(summary, 'response.reasoning_summary_part.added')]!.summary_index = 2;
    expect(rules(summary).join('\n')).toMatch(/summary index 2, expected the next index 0/);
  });

  it('reject deltas that do not fit the item or part type', () => {
    const events = conformantStream();
    const onMessage = { type: 'response.function_call_arguments.delta', item_id: 'msg_1', output_index: 1, delta: '{' };
    const inserted = renumber([
      ...events.slice(0, indexOf(events, 'response.output_text.delta')),
      onMessage,
      ...events.slice(indexOf(events, 'response.output_text.delta')),
    ]);
    expect(rules(inserted).join('\n')).toMatch(
      /function_call_arguments.delta: refers to a message item, expected function_call/,
    );
    const wrongPart = conformantStream();
    wrongPart[indexOf(wrongPart, 'response.content_part.added', 1)]!.part = { type: 'reasoning_text', text: '' };
    expect(rules(wrongPart).join('\n')).toMatch(/a reasoning_text part cannot belong to a message item/);
  });

  it('require .done texts and arguments to equal what the deltas built', () => {
    const text = conformantStream();
    text[indexOf(text, 'response.output_text.done')]!.text = 'Hello!';
    expect(rules(text).join('\n')).toMatch(/output_text.done: text "Hello!" differs from the deltas "Hello"/);
    const args = conformantStream();
    args[indexOf(args, 'response.function_call_arguments.done')]!.arguments = '{}';
    expect(rules(args).join('\n')).toMatch(/function_call_arguments.done: "\{\}" differs from the deltas/);
    const part = conformantStream();
    part[indexOf(part, 'response.content_part.done', 1)]!.part.text = 'Hell';
    expect(rules(part).join('\n')).toMatch(/content_part.done: part text differs from the text streamed/);
  });

  it('require each output_item.done to match its added item, with its parts closed', () => {
    const events = conformantStream();
    const done = events[indexOf(events, 'response.output_item.done', 1)]!;
    done.item = { ...done.item, id: 'msg_2' };
    expect(rules(events).join('\n')).toMatch(/done item is message msg_2, but message msg_1 was added/);
    const open = conformantStream();
    const early = moved(
      open,
      indexOf(open, 'response.output_item.done', 1),
      indexOf(open, 'response.content_part.done', 1),
    );
    expect(rules(early).join('\n')).toMatch(/output_item.done: content part 0 is still open/);
    const edited = conformantStream();
    edited[indexOf(edited, 'response.output_item.done', 1)]!.item.content[0].text = 'Goodbye';
    expect(rules(edited).join('\n')).toMatch(/done content part 0 differs from the streamed part/);
  });

  it('require heartbeats to show exactly what was emitted so far', () => {
    const heartbeat = (events: Event[]) => events[indexOf(events, 'response.in_progress', 1)]!;
    const lost = conformantStream();
    heartbeat(lost).response.output.pop();
    expect(rules(lost).join('\n')).toMatch(/in_progress: response.output has 1 items but 2 were added/);
    const wrongText = conformantStream();
    heartbeat(wrongText).response.output[1].content[0].text = 'He';
    expect(rules(wrongText).join('\n')).toMatch(
      /response.output\[1\] content part 0 text differs from the deltas so far/,
    );
    const changedDone = conformantStream();
    heartbeat(changedDone).response.output[0].summary = [];
    expect(rules(changedDone).join('\n')).toMatch(/response.output\[0\] differs from its output_item.done/);
    const otherResponse = conformantStream();
    heartbeat(otherResponse).response.id = 'resp_other';
    expect(rules(otherResponse).join('\n')).toMatch(/response.id "resp_other" differs/);
  });

  it('require exactly one terminal event and nothing after it', () => {
    const events = conformantStream();
    const twice = renumber([...events, { ...events.at(-1)! }]);
    expect(rules(twice).join('\n')).toMatch(/response.completed: arrives after the terminal response.completed/);
    expect(rules(without(events, events.length - 1))).toContain(
      'the stream ended without response.completed, response.incomplete or response.failed',
    );
    const afterwards = renumber([...events, { type: 'response.in_progress', response: events[1]!.response }]);
    expect(rules(afterwards).join('\n')).toMatch(/response.in_progress: arrives after the terminal/);
    expect(rules([])).toEqual(['the stream carried no events']);
  });

  it('require the terminal output to be exactly the done items, in order', () => {
    const missing = conformantStream();
    missing.at(-1)!.response.output.pop();
    expect(rules(missing).join('\n')).toMatch(/response.output has 3 items, but 4 were done/);
    const reordered = conformantStream();
    reordered.at(-1)!.response.output.reverse();
    expect(rules(reordered).join('\n')).toMatch(/response.output\[0\] differs from the item in its output_item.done/);
    const changed = conformantStream();
    changed.at(-1)!.response.output[2].arguments = '{"cmd":"rm"}';
    expect(rules(changed).join('\n')).toMatch(/response.output\[2\] differs/);
  });

  it('require every added item to be done before response.completed, but not before response.failed', () => {
    const events = conformantStream();
    const cut = events.slice(0, indexOf(events, 'response.output_item.done', 1));
    const completed = renumber([
      ...cut,
      {
        type: 'response.completed',
        response: { ...events.at(-1)!.response, output: [events[indexOf(events, 'response.output_item.done')]!.item] },
      },
    ]);
    expect(rules(completed).join('\n')).toMatch(/item 1 \(message msg_1\) was added but never done/);
    const failed = renumber([
      ...cut,
      {
        type: 'response.failed',
        response: failedResponse('server_error', [events[indexOf(events, 'response.output_item.done')]!.item]),
      },
    ]);
    expect(rules(failed)).toEqual([]);
  });

  it('require the terminal status to match the event', () => {
    const events = conformantStream();
    events.at(-1)!.response.status = 'incomplete';
    expect(rules(events).join('\n')).toMatch(/response.completed: response.status is "incomplete"/);
  });

  it('reject `error` events, which make openai-node throw', () => {
    const events = conformantStream();
    const withError = renumber([
      ...events.slice(0, 3),
      { type: 'error', code: 'server_error', message: 'x', param: null },
      ...events.slice(3),
    ]);
    expect(rules(withError).join('\n')).toMatch(/#3 error: an `error` event makes openai-node throw/);
  });
});

describe('schemas from the official OpenAI spec', () => {
  const missing = specMissingMessage();
  const schemas = () => loadResponsesSchemas()!;

  it('accept the conformant stream', (context) => {
    context.skip(missing !== undefined, missing);
    expect(checkEventStream(conformantStream())).toEqual([]);
  });

  it('reject an event missing a required field', (context) => {
    context.skip(missing !== undefined, missing);
    const event = { ...conformantStream()[indexOf(conformantStream(), 'response.output_text.delta')]! };
    delete event.logprobs;
    expect(schemas().validateEvent(event)).toEqual([
      "ResponseTextDeltaEvent (root) must have required property 'logprobs'",
    ]);
  });

  it('reject wrong types, unknown event types and unknown item types', (context) => {
    context.skip(missing !== undefined, missing);
    const events = conformantStream();
    expect(
      schemas()
        .validateEvent({ ...events[2], sequence_number: '2' })
        .join('\n'),
    ).toMatch(/sequence_number must be integer/);
    expect(schemas().validateEvent({ type: 'response.thinking.delta', sequence_number: 3 })).toEqual([
      '`response.thinking.delta` is not a Responses stream event type in the spec',
    ]);
    const added = { ...events[2], item: { type: 'thought', id: 'x' } };
    expect(schemas().validateEvent(added)).not.toEqual([]);
    const usage = structuredClone(events.at(-1)!);
    delete usage.response.usage.input_tokens_details.cached_tokens;
    expect(schemas().validateEvent(usage).join('\n')).toMatch(
      /input_tokens_details must have required property 'cached_tokens'/,
    );
  });

  it('accept exactly the Codex failure codes beyond the spec enum, and nothing else', (context) => {
    context.skip(missing !== undefined, missing);
    const failed = (code: string) => ({ type: 'response.failed', sequence_number: 2, response: failedResponse(code) });
    for (const code of [...CODEX_FAILURE_CODES, 'server_error'])
      expect(schemas().validateEvent(failed(code))).toEqual([]);
    expect(schemas().validateEvent(failed('upstream_exploded')).join('\n')).toMatch(
      /error\/code must be equal to one of the allowed values \(got "upstream_exploded"\)/,
    );
    // The deviation lists only codes the spec really lacks.
    for (const deviation of schemas().deviations) {
      expect(deviation.component).toBe('ResponseErrorCode');
      for (const code of deviation.added) expect(CODEX_FAILURE_CODES).toContain(code);
    }
  });

  it('know every event type the relay can emit', (context) => {
    context.skip(missing !== undefined, missing);
    const relayEvents = new Set(conformantStream().map((event) => event.type));
    for (const type of ['response.incomplete', 'response.failed', ...relayEvents])
      expect(schemas().eventTypes).toContain(type);
  });
});

describe('shared material', () => {
  it('names the missing path instead of passing silently', () => {
    const absent = sharedPath('no-such-directory', 'openapi.json');
    expect(missingSharedMessage(absent)).toBe(`missing ${absent} (shared material expected beside the clone)`);
    expect(missingSharedMessage(fileURLToPath(import.meta.url))).toBeUndefined();
  });
});
