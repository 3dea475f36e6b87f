/**
 * Items read back from the store are checked at the boundary: a stored
 * record that does not parse fails the request that reads it with a clear
 * error, on every backend, and stays where it is.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readStoredItems, StoredRecordError } from '../../src/store/stored-items.js';
import type { ResponseStore, StoredTurn } from '../../src/store/types.js';
import { call, createResponse, startHarness, stopHarnesses } from './http.js';
import { BACKENDS, LOCAL_BACKENDS, openTestStore, removeTempDirectories, stopTestRedis } from './support.js';
import { makeTurn } from './turns.js';

const opened: ResponseStore[] = [];

afterEach(async () => {
  await stopHarnesses();
  for (const store of opened.splice(0)) await store.close();
});
afterAll(removeTempDirectories);
afterAll(stopTestRedis);

/** A turn after `parentId` whose output holds a function call without its `call_id` (as JSON parses it, unchecked). */
function damagedTurn(id: string, parentId: string): StoredTurn {
  return {
    ...makeTurn(id, parentId, 'second'),
    output: JSON.parse('[{"type":"function_call","name":"exec","arguments":"{}"}]'),
  };
}

describe('readStoredItems', () => {
  it('reads back what was stored, checked', () => {
    const turn = makeTurn('resp_ok', null, 'hello', {
      call: { callId: 'call_1', name: 'exec', arguments: '{}', reasoning: 'think' },
    });
    expect(readStoredItems(JSON.stringify(turn.input), 'resp_ok', 'input')).toEqual(turn.input);
    expect(readStoredItems(JSON.stringify(turn.output), 'resp_ok', 'output')).toEqual(turn.output);
  });

  it('names the response and what is wrong when the record does not parse', () => {
    const failure = (json: string) => {
      try {
        readStoredItems(json, 'resp_bad', 'output');
      } catch (error) {
        expect(error).toBeInstanceOf(StoredRecordError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(failure('[{"type":')).toBe("The stored response 'resp_bad' is damaged: its output is not JSON.");
    expect(failure('{"type":"message"}')).toBe(
      "The stored response 'resp_bad' is damaged: its output is not a list of items.",
    );
    expect(failure('[{"type":"function_call","name":"exec","arguments":"{}"}]')).toMatch(
      /^The stored response 'resp_bad' is damaged: .*'output\[0\]\.call_id'/,
    );
    expect(failure('[{"type":"message","role":"user","content":"hi"},"text"]')).toMatch(
      /'output\[1\]': expected an object/,
    );
    expect(failure('[{"type":"item_reference","id":"x"}]')).toBe(
      "The stored response 'resp_bad' is damaged: output[0] has the type 'item_reference', which no stored response holds.",
    );
  });
});

describe.each(BACKENDS)('a damaged record in the %s store', (kind) => {
  it('fails the reads that need it and is kept', async () => {
    const store = await openTestStore(kind);
    opened.push(store);
    await store.save(makeTurn('resp_first', null, 'first'));
    await store.save(damagedTurn('resp_second', 'resp_first'));
    await expect(store.chain('resp_second')).rejects.toThrow(StoredRecordError);
    await expect(store.get('resp_second')).rejects.toThrow(/resp_second' is damaged: .*output\[0\]\.call_id/);
    // The other turn still reads, and nothing was removed.
    expect(await store.get('resp_first')).toEqual(makeTurn('resp_first', null, 'first'));
    expect(await store.stats()).toMatchObject({ turns: 2 });
    await expect(store.chain('resp_second')).rejects.toThrow(StoredRecordError);
  });
});

describe.each(LOCAL_BACKENDS)('continuing a damaged response over HTTP (%s)', (kind) => {
  it('answers a clear 500 for that request, keeps the record, and serves the next one', async () => {
    const { relay, store } = await startHarness(kind);
    const first = await createResponse(relay, { input: 'hello' });
    expect(first.status).toBe(200);
    await store.save(damagedTurn('resp_damaged', first.json.id));

    const continued = await createResponse(relay, { input: 'and then?', previous_response_id: 'resp_damaged' });
    expect(continued.status).toBe(500);
    expect(continued.json.error).toMatchObject({ type: 'server_error', code: 'stored_response_invalid' });
    expect(continued.json.error.message).toMatch(
      /previous response cannot be continued\. The stored response 'resp_damaged' is damaged: .*call_id/,
    );
    const listed = await call(relay, 'GET', '/v1/responses/resp_damaged/input_items');
    expect(listed.status).toBe(500);
    expect(listed.json.error.code).toBe('stored_response_invalid');

    expect(await store.stats()).toMatchObject({ turns: 2 });
    const next = await createResponse(relay, { input: 'go on', previous_response_id: first.json.id });
    expect(next.status).toBe(200);
    expect(next.json.status).toBe('completed');
  });
});
