/**
 * The upstream body reuses the bytes of the messages a chain keeps, and is
 * always byte for byte what JSON.stringify gives: whether the body carries the
 * kept messages whole, in part or out of order, and whatever a provider hook
 * did to the copies it was handed.
 */
import { expect, it } from 'vitest';
import { chatRequestJson, copyKeptMessage, KeptMessages } from '../../src/translate/chat-request-json.js';
import type { ChatMessage, ChatRequest } from '../../src/translate/chat-types.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Be brief — «quoted» "text" \\ 漢字 🙂' },
  { role: 'user', content: 'List the files.' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'shell', arguments: '{"cmd":"ls"}' } }],
    reasoning_content: 'look first',
  },
  { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
];
const run = new KeptMessages(messages);
run.update();
const kept = messages;

function request(messages: ChatMessage[]): ChatRequest {
  return {
    model: 'm "messages":[] model',
    messages,
    stream: true,
    tools: [{ type: 'function', function: { name: 'shell', parameters: {} } }],
  };
}

it('gives the bytes of JSON.stringify for kept messages, the second time from their kept bytes', () => {
  for (let turn = 0; turn < 2; turn++) {
    const body = request([...kept.map(copyKeptMessage), { role: 'user', content: `turn ${turn}` }]);
    const json = chatRequestJson(body);
    expect(Buffer.isBuffer(json)).toBe(true);
    expect(String(json)).toBe(JSON.stringify(body));
  }
});

it('follows what a hook did to the copies: a field set, deleted, replaced, or the message rebuilt', () => {
  const copies = kept.map(copyKeptMessage);
  chatRequestJson(request(copies));
  (copies[2] as Record<string, unknown>).reasoning_content = 'placeholder';
  delete (copies[3] as Record<string, unknown>).tool_call_id;
  copies[1]!.content = 'changed';
  const rebuilt = { ...copies[0]!, name: 'extra' } as ChatMessage;
  const body = request([rebuilt, ...copies.slice(1)]);
  expect(String(chatRequestJson(body))).toBe(JSON.stringify(body));
  // The kept messages themselves never changed.
  expect(kept[1]!.content).toBe('List the files.');
});

it('takes the kept messages as one run, in part, out of order or with others between, and encodes only the new ones', () => {
  const growing: ChatMessage[] = [{ role: 'user', content: 'first' }];
  const chain = new KeptMessages(growing);
  for (let turn = 0; turn < 4; turn++) {
    chain.update();
    const replaced = { role: 'user', content: `[System message]\n${turn}` } as ChatMessage;
    const shapes = [
      [...growing, { role: 'user', content: `turn ${turn}` } as ChatMessage],
      [{ role: 'system', content: 'instructions' } as ChatMessage, ...growing.slice(1)],
      [...growing.slice(0, 1), replaced, ...growing.slice(1)],
      [...growing].reverse(),
    ];
    for (const shape of shapes) {
      const body = request(shape);
      expect(String(chatRequestJson(body))).toBe(JSON.stringify(body));
    }
    growing.push(
      { role: 'assistant', content: `answer ${turn} «${'é'.repeat(turn * 20_000)}»` },
      { role: 'user', content: `next ${turn}` },
    );
  }
});

it('serialises a body without kept messages as usual', () => {
  const body = request([{ role: 'user', content: 'not kept' }]);
  expect(chatRequestJson(body)).toBe(JSON.stringify(body));
});
