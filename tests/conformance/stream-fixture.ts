/**
 * A hand-written, fully conformant Responses stream (reasoning, a message, a
 * function call, a custom tool call), independent of the relay, for testing the
 * conformance checker itself: each test breaks one rule in a fresh copy.
 */
type Event = Record<string, any>;

const RESPONSE_ID = 'resp_fixture';

function response(status: string, output: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: RESPONSE_ID,
    object: 'response',
    created_at: 1_700_000_000,
    status,
    completed_at: status === 'in_progress' ? null : 1_700_000_001,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: 'fixture-model',
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: null,
    store: false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    metadata: {},
    ...extra,
  };
}

export const USAGE = {
  input_tokens: 10,
  input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
  output_tokens: 5,
  output_tokens_details: { reasoning_tokens: 2 },
  total_tokens: 15,
};

const REASONING_DONE = {
  type: 'reasoning',
  id: 'rs_1',
  summary: [{ type: 'summary_text', text: 'Think.' }],
  content: [{ type: 'reasoning_text', text: 'Think.' }],
  encrypted_content: null,
  status: 'completed',
};
const MESSAGE_DONE = {
  type: 'message',
  id: 'msg_1',
  status: 'completed',
  role: 'assistant',
  content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }],
};
const CALL_DONE = {
  type: 'function_call',
  id: 'fc_1',
  call_id: 'call_1',
  name: 'exec_command',
  arguments: '{"cmd":"ls"}',
  status: 'completed',
};
const CUSTOM_DONE = {
  type: 'custom_tool_call',
  id: 'ctc_1',
  call_id: 'call_2',
  name: 'apply_patch',
  input: '*** Begin Patch',
  status: 'completed',
};

/** A fresh copy of the conformant stream, sequence numbers 0..n-1. */
export function conformantStream(): Event[] {
  const events: Event[] = [
    { type: 'response.created', response: response('in_progress', []) },
    { type: 'response.in_progress', response: response('in_progress', []) },
    {
      type: 'response.output_item.added',
      output_index: 0,
      item: { type: 'reasoning', id: 'rs_1', summary: [], content: [], encrypted_content: null, status: 'in_progress' },
    },
    {
      type: 'response.reasoning_summary_part.added',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: '' },
    },
    {
      type: 'response.content_part.added',
      item_id: 'rs_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'reasoning_text', text: '' },
    },
    {
      type: 'response.reasoning_summary_text.delta',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      delta: 'Think.',
    },
    { type: 'response.reasoning_text.delta', item_id: 'rs_1', output_index: 0, content_index: 0, delta: 'Think.' },
    { type: 'response.reasoning_text.done', item_id: 'rs_1', output_index: 0, content_index: 0, text: 'Think.' },
    {
      type: 'response.content_part.done',
      item_id: 'rs_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'reasoning_text', text: 'Think.' },
    },
    {
      type: 'response.reasoning_summary_text.done',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      text: 'Think.',
    },
    {
      type: 'response.reasoning_summary_part.done',
      item_id: 'rs_1',
      output_index: 0,
      summary_index: 0,
      part: { type: 'summary_text', text: 'Think.' },
    },
    { type: 'response.output_item.done', output_index: 0, item: REASONING_DONE },
    {
      type: 'response.output_item.added',
      output_index: 1,
      item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
    },
    {
      type: 'response.content_part.added',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
    },
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: 'Hel',
      logprobs: [],
    },
    // A heartbeat in the middle of the message: shows the text so far.
    {
      type: 'response.in_progress',
      response: response('in_progress', [
        REASONING_DONE,
        {
          type: 'message',
          id: 'msg_1',
          status: 'in_progress',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hel', annotations: [], logprobs: [] }],
        },
      ]),
    },
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: 'lo',
      logprobs: [],
    },
    {
      type: 'response.output_text.done',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      text: 'Hello',
      logprobs: [],
    },
    {
      type: 'response.content_part.done',
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: 'Hello', annotations: [], logprobs: [] },
    },
    { type: 'response.output_item.done', output_index: 1, item: MESSAGE_DONE },
    {
      type: 'response.output_item.added',
      output_index: 2,
      item: { ...CALL_DONE, arguments: '', status: 'in_progress' },
    },
    { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 2, delta: '{"cmd":' },
    { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 2, delta: '"ls"}' },
    {
      type: 'response.function_call_arguments.done',
      item_id: 'fc_1',
      output_index: 2,
      name: 'exec_command',
      arguments: '{"cmd":"ls"}',
    },
    { type: 'response.output_item.done', output_index: 2, item: CALL_DONE },
    { type: 'response.output_item.added', output_index: 3, item: { ...CUSTOM_DONE, input: '', status: 'in_progress' } },
    { type: 'response.custom_tool_call_input.delta', item_id: 'ctc_1', output_index: 3, delta: '*** Begin Patch' },
    { type: 'response.custom_tool_call_input.done', item_id: 'ctc_1', output_index: 3, input: '*** Begin Patch' },
    { type: 'response.output_item.done', output_index: 3, item: CUSTOM_DONE },
    {
      type: 'response.completed',
      response: response('completed', [REASONING_DONE, MESSAGE_DONE, CALL_DONE, CUSTOM_DONE], { usage: USAGE }),
    },
  ];
  // A JSON copy: no object is shared between events, so a test can change one alone.
  return renumber(JSON.parse(JSON.stringify(events)) as Event[]);
}

/** Sets sequence numbers 0..n-1 (after events were inserted or removed). */
export function renumber(events: Event[]): Event[] {
  return events.map((event, index) => {
    const { type, sequence_number: _ignored, ...rest } = event;
    return { type, sequence_number: index, ...rest };
  });
}

/** Index of the first event of a type (optionally the nth). */
export function indexOf(events: Event[], type: string, occurrence = 0): number {
  let seen = 0;
  const index = events.findIndex((event) => event.type === type && seen++ === occurrence);
  if (index === -1) throw new Error(`no ${type} #${occurrence} in the fixture`);
  return index;
}

/** A terminal response.failed replacing response.completed, with only the given done items. */
export function failedResponse(code: string, output: unknown[] = []): Record<string, unknown> {
  return response('failed', output, { error: { code, message: `failed with ${code}` } });
}
