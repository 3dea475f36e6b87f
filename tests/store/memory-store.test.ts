/** The memory backend's count bound, kept by the store rather than preallocated by lru-cache. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { toolCallKey } from '../../src/store/tool-call-key.js';
import { makeTurn } from './turns.js';

const stores: MemoryResponseStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function openStore(maxTurns: number): MemoryResponseStore {
  const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 }, maxTurns);
  stores.push(store);
  return store;
}

describe('memory store turn bound', () => {
  it('keeps at most maxTurns turns, dropping the least recently used first', async () => {
    const store = openStore(3);
    for (const id of ['resp_1', 'resp_2', 'resp_3']) await store.save(makeTurn(id, null, id));
    expect(await store.get('resp_1')).toBeDefined(); // resp_1 is now the most recently used
    await store.save(makeTurn('resp_4', null, 'resp_4'));
    await store.save(makeTurn('resp_5', null, 'resp_5'));
    const present = [];
    for (const id of ['resp_1', 'resp_2', 'resp_3', 'resp_4', 'resp_5']) if (await store.get(id)) present.push(id);
    expect(present).toEqual(['resp_1', 'resp_4', 'resp_5']);
    expect((await store.stats()).turns).toBe(3);
  });

  it('forgets the tool calls of a turn dropped by the bound', async () => {
    const store = openStore(1);
    const call = { callId: 'call_1', name: 'shell', arguments: '{"cmd":"ls"}', reasoning: 'Look first.' };
    await store.save(makeTurn('resp_call', null, 'list', { call }));
    const key = toolCallKey({
      type: 'function_call',
      call_id: call.callId,
      name: call.name,
      arguments: call.arguments,
    })!;
    expect((await store.reasoningForCalls([key])).size).toBe(1);
    await store.save(makeTurn('resp_next', null, 'next'));
    expect(await store.get('resp_call')).toBeUndefined();
    expect((await store.reasoningForCalls([key])).size).toBe(0);
    expect(store.mayHoldReasoning()).toBe(false);
  });
});
