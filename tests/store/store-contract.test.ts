/**
 * The behaviour every ResponseStore backend shares: turns as chains, branching,
 * deletion, expiry from last use, the size cap (least recently used first)
 * and the tool-call index behind reasoning recovery.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toolCallKey } from '../../src/store/tool-call-key.js';
import type { ResponseStore, StoreKind } from '../../src/store/types.js';
import {
  BACKENDS,
  fakeClock,
  LOCAL_BACKENDS,
  openTestStore,
  removeTempDirectories,
  stopTestRedis,
  type TestStoreOptions,
} from './support.js';
import { chainTexts, makeTurn } from './turns.js';

const HOUR = 3_600_000;
const opened: ResponseStore[] = [];

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});
afterAll(removeTempDirectories);
afterAll(stopTestRedis);

/** A store closed after the test. */
async function openStore(kind: StoreKind, options: TestStoreOptions = {}): Promise<ResponseStore> {
  const store = await openTestStore(kind, options);
  opened.push(store);
  return store;
}

describe.each(BACKENDS)('%s store', (kind) => {
  const open = (options?: TestStoreOptions) => openStore(kind, options);

  it('reads back a stored turn exactly', async () => {
    const store = await open();
    const turn = makeTurn('resp_a1', null, 'hello');
    await store.save(turn);
    expect(await store.get('resp_a1')).toEqual(turn);
    expect(await store.get('resp_unknown')).toBeUndefined();
    expect(await store.stats()).toMatchObject({ turns: 1 });
  });

  it('walks a chain back to its first turn, oldest first', async () => {
    const store = await open();
    await store.save(makeTurn('resp_1', null, 'one'));
    await store.save(makeTurn('resp_2', 'resp_1', 'two'));
    await store.save(makeTurn('resp_3', 'resp_2', 'three'));
    const lookup = await store.chain('resp_3');
    expect(lookup.status).toBe('found');
    if (lookup.status !== 'found') return;
    expect(lookup.turns.map((turn) => turn.id)).toEqual(['resp_1', 'resp_2', 'resp_3']);
    expect(chainTexts(lookup.turns)).toEqual(['one', 'reply to one', 'two', 'reply to two', 'three', 'reply to three']);
    expect(await store.chain('resp_missing')).toEqual({ status: 'missing' });
  });

  it('keeps branches from one parent independent', async () => {
    const store = await open();
    await store.save(makeTurn('resp_root', null, 'root'));
    await store.save(makeTurn('resp_left', 'resp_root', 'left'));
    await store.save(makeTurn('resp_right', 'resp_root', 'right'));
    await store.save(makeTurn('resp_left2', 'resp_left', 'left again'));
    const left = await store.chain('resp_left2');
    const right = await store.chain('resp_right');
    expect(left.status === 'found' && left.turns.map((turn) => turn.id)).toEqual([
      'resp_root',
      'resp_left',
      'resp_left2',
    ]);
    expect(right.status === 'found' && right.turns.map((turn) => turn.id)).toEqual(['resp_root', 'resp_right']);
  });

  it('deletes one turn; a chain through it is reported broken', async () => {
    const store = await open();
    await store.save(makeTurn('resp_1', null, 'one'));
    await store.save(makeTurn('resp_2', 'resp_1', 'two'));
    await store.save(makeTurn('resp_3', 'resp_2', 'three'));
    expect(await store.delete('resp_2')).toBe(true);
    expect(await store.delete('resp_2')).toBe(false);
    expect(await store.get('resp_2')).toBeUndefined();
    const lookup = await store.chain('resp_3');
    expect(lookup.status).toBe('broken');
    if (lookup.status !== 'broken') return;
    expect(lookup.missingId).toBe('resp_2');
    expect(lookup.turns.map((turn) => turn.id)).toEqual(['resp_3']);
    expect((await store.chain('resp_1')).status).toBe('found');
  });

  it('checks a chain against what is stored even right after rebuilding it', async () => {
    const store = await open();
    await store.save(makeTurn('resp_1', null, 'one'));
    await store.save(makeTurn('resp_2', 'resp_1', 'two'));
    await store.save(makeTurn('resp_3', 'resp_2', 'three'));
    const before = await store.chain('resp_3');
    expect(before.status).toBe('found');
    await store.delete('resp_1');
    const after = await store.chain('resp_3');
    expect(after.status === 'broken' && after.missingId).toBe('resp_1');
    expect(after.status === 'broken' && chainTexts(after.turns)).toEqual([
      'two',
      'reply to two',
      'three',
      'reply to three',
    ]);
    await store.delete('resp_3');
    expect(await store.chain('resp_3')).toEqual({ status: 'missing' });
  });

  it('expires a conversation the TTL after its last use, and continuing it keeps it', async () => {
    const clock = fakeClock();
    const store = await open({ ttlMs: 10 * HOUR, now: clock.now });
    await store.save(makeTurn('resp_old', null, 'old', { createdAt: clock.now() }));
    await store.save(makeTurn('resp_kept', null, 'kept', { createdAt: clock.now() }));
    clock.advance(6 * HOUR);
    expect((await store.chain('resp_kept')).status).toBe('found'); // used: its clock restarts
    clock.advance(6 * HOUR);
    expect(await store.get('resp_old')).toBeUndefined();
    expect(await store.chain('resp_old')).toEqual({ status: 'missing' });
    expect(await store.get('resp_kept')).toBeDefined();
    await store.sweep();
    expect((await store.stats()).turns).toBe(1);
  });

  it('finds the reasoning stored next to a tool call by the whole call', async () => {
    const store = await open();
    const call = { callId: 'functions.exec:0', name: 'exec', arguments: '{"cmd":"ls"}', reasoning: 'List first.' };
    await store.save(makeTurn('resp_plain_first', null, 'no reasoning', { call: { ...call, reasoning: undefined } }));
    expect(store.mayHoldReasoning()).toBe(false);
    await store.save(makeTurn('resp_think', null, 'list files', { call }));
    expect(store.mayHoldReasoning()).toBe(true);
    await store.save(
      makeTurn('resp_plain', null, 'no reasoning', { call: { ...call, callId: 'call_plain', reasoning: undefined } }),
    );
    const key = toolCallKey({ type: 'function_call', call_id: call.callId, name: 'exec', arguments: call.arguments })!;
    const otherArguments = toolCallKey({
      type: 'function_call',
      call_id: call.callId,
      name: 'exec',
      arguments: '{"cmd":"pwd"}',
    })!;
    const plain = toolCallKey({
      type: 'function_call',
      call_id: 'call_plain',
      name: 'exec',
      arguments: call.arguments,
    })!;
    const found = await store.reasoningForCalls([key, otherArguments, plain]);
    expect([...found.keys()]).toEqual([key]);
    expect(found.get(key)!.responseId).toBe('resp_think');
    expect(found.get(key)!.items).toEqual([
      expect.objectContaining({ type: 'reasoning', content: [{ type: 'reasoning_text', text: 'List first.' }] }),
    ]);

    await store.save(makeTurn('resp_newer', null, 'again', { call: { ...call, reasoning: 'Newer thought.' } }));
    expect((await store.reasoningForCalls([key])).get(key)!.responseId).toBe('resp_newer');
    await store.delete('resp_newer');
    await store.delete('resp_think');
    expect((await store.reasoningForCalls([key])).size).toBe(0);
    await store.sweep();
    expect(store.mayHoldReasoning()).toBe(false);
  });

  it('close is idempotent', async () => {
    const store = await openTestStore(kind);
    await store.save(makeTurn('resp_x', null, 'x'));
    await store.close();
    await store.close();
  });
});

// Redis enforces the cap itself (maxmemory with volatile-lru); redis-store.test.ts checks it is applied.
describe.each(LOCAL_BACKENDS)('%s store size cap', (kind) => {
  const open = (options?: TestStoreOptions) => openStore(kind, options);

  it('over the size cap drops the least recently used conversation first', async () => {
    const store = await open({ maxBytes: 22_500 });
    const turn = (id: string, parent: string | null) => makeTurn(id, parent, id, { padding: 4_600 });
    const save = async (id: string, parent: string | null) => {
      await store.save(turn(id, parent));
      await store.sweep();
    };
    await save('resp_a1', null);
    await save('resp_a2', 'resp_a1');
    await save('resp_b1', null);
    await save('resp_b2', 'resp_b1');
    expect((await store.chain('resp_a2')).status).toBe('found'); // conversation A is now the most recent
    await save('resp_c1', null);
    await save('resp_c2', 'resp_c1');
    const present = [];
    for (const id of ['resp_a1', 'resp_a2', 'resp_b1', 'resp_b2', 'resp_c1', 'resp_c2'])
      if (await store.get(id)) present.push(id);
    expect(present).toEqual(['resp_a1', 'resp_a2', 'resp_c1', 'resp_c2']);
    expect((await store.stats()).bytes).toBeLessThanOrEqual(22_500);
  });
});
