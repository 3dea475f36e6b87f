/** The pure parts of the store: stored item shapes, reasoning recovery and input-item pages. */
import { describe, expect, it } from 'vitest';
import { pageOfItems } from '../../src/store/item-list.js';
import { callKeysMissingReasoning, restoreReasoning } from '../../src/store/reasoning-recovery.js';
import { isResponseId, toStoredInputItems } from '../../src/store/stored-items.js';
import { toolCallKey } from '../../src/store/tool-call-key.js';
import type { RecoveredReasoning } from '../../src/store/types.js';
import type { InputItem } from '../../src/translate/request/responses-schema.js';

let counter = 0;
const createId = (prefix: string) => `${prefix}_${++counter}`;

describe('toStoredInputItems', () => {
  it('gives every item an id and a status, and message content as parts', () => {
    counter = 0;
    const stored = toStoredInputItems(
      [
        { type: 'message', role: 'user', content: 'hi' },
        { type: 'message', role: 'assistant', content: 'hello' },
        { type: 'function_call_output', call_id: 'call_1', output: 'ok' },
        {
          type: 'message',
          id: 'msg_keep',
          role: 'developer',
          content: [{ type: 'input_text', text: 'rules' }],
          status: 'completed',
        },
      ],
      createId,
    );
    expect(stored).toEqual([
      {
        type: 'message',
        id: 'msg_1',
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_text', text: 'hi' }],
      },
      {
        type: 'message',
        id: 'msg_2',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: 'hello', annotations: [] }],
      },
      { type: 'function_call_output', id: 'fco_3', call_id: 'call_1', output: 'ok', status: 'completed' },
      {
        type: 'message',
        id: 'msg_keep',
        role: 'developer',
        content: [{ type: 'input_text', text: 'rules' }],
        status: 'completed',
      },
    ]);
  });

  it('accepts only response ids', () => {
    expect(isResponseId('resp_0123abc')).toBe(true);
    expect(isResponseId('resp_a-b_c')).toBe(true);
    for (const id of ['', 'resp_', 'msg_123', 'resp_a b', 'resp_ä', `resp_${'a'.repeat(201)}`])
      expect(isResponseId(id)).toBe(false);
  });
});

describe('reasoning recovery', () => {
  const call = (callId: string, args = '{}'): InputItem => ({
    type: 'function_call',
    call_id: callId,
    name: 'exec',
    arguments: args,
  });
  const output = (callId: string): InputItem => ({ type: 'function_call_output', call_id: callId, output: 'done' });
  const reasoning = (text: string): InputItem => ({
    type: 'reasoning',
    summary: [],
    content: [{ type: 'reasoning_text', text }],
  });
  const user = (text: string): InputItem => ({ type: 'message', role: 'user', content: text });

  it('asks only for the calls of assistant turns that have no reasoning', () => {
    const items = [
      user('a'),
      reasoning('kept'),
      call('call_1'),
      output('call_1'),
      call('call_2'),
      call('call_3'),
      output('call_2'),
      output('call_3'),
    ];
    expect(callKeysMissingReasoning(items)).toEqual([toolCallKey(call('call_2')), toolCallKey(call('call_3'))]);
  });

  it('puts recovered reasoning first in the turn, once per stored response', () => {
    const items: InputItem[] = [
      user('a'),
      { type: 'message', role: 'assistant', content: 'running' },
      call('call_2'),
      call('call_3'),
      output('call_2'),
      output('call_3'),
    ];
    const recovered: RecoveredReasoning = { responseId: 'resp_1', items: [reasoning('thought')] };
    const found = new Map([
      [toolCallKey(call('call_2'))!, recovered],
      [toolCallKey(call('call_3'))!, recovered],
    ]);
    expect(restoreReasoning(items, found)).toEqual([user('a'), reasoning('thought'), ...items.slice(1)]);
    expect(restoreReasoning(items, new Map())).toEqual(items);
  });

  it('keys a call by everything the client echoes, not only its id', () => {
    expect(toolCallKey(call('functions.exec:0', '{"a":1}'))).not.toBe(toolCallKey(call('functions.exec:0', '{"a":2}')));
    expect(toolCallKey({ type: 'custom_tool_call', call_id: 'c', name: 'apply_patch', input: 'x' })).toBeDefined();
    expect(toolCallKey(output('call_1'))).toBeUndefined();
  });
});

describe('pageOfItems', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ type: 'message', id }));
  const ids = (page: ReturnType<typeof pageOfItems>) => page?.data.map((item) => item.id);

  it('pages in either order from an item id', () => {
    expect(ids(pageOfItems(items, { limit: 2, order: 'asc', after: undefined }))).toEqual(['a', 'b']);
    expect(ids(pageOfItems(items, { limit: 2, order: 'desc', after: undefined }))).toEqual(['e', 'd']);
    expect(pageOfItems(items, { limit: 2, order: 'desc', after: 'd' })).toEqual({
      object: 'list',
      data: [items[2], items[1]],
      first_id: 'c',
      last_id: 'b',
      has_more: true,
    });
    expect(pageOfItems(items, { limit: 5, order: 'asc', after: 'e' })).toEqual({
      object: 'list',
      data: [],
      first_id: null,
      last_id: null,
      has_more: false,
    });
    expect(pageOfItems(items, { limit: 5, order: 'asc', after: 'zz' })).toBeUndefined();
  });
});
