/** A relay with a store in front of a scripted upstream, and small HTTP helpers. */
import type { RunningRelay } from '../../src/server/start-server.js';
import type { ResponseStore, StoreKind } from '../../src/store/types.js';
import {
  finishChunk,
  type MockScript,
  type MockUpstream,
  startMockUpstream,
  textChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse, startTestRelay, type TestRelayOptions } from '../support/relay.js';
import { openTestStore, type TestStoreOptions } from './support.js';

export interface Harness {
  upstream: MockUpstream;
  relay: RunningRelay;
  store: ResponseStore;
}

const running: Harness[] = [];

/** Upstream replies `answer <n>` to its n-th request (from 1). */
export const numberedAnswers: MockScript = (_request, index) => ({
  kind: 'sse',
  chunks: [...textChunks(`answer ${index + 1}`), finishChunk('stop'), usageChunk(10, 2)],
});

/** Starts upstream, store and relay; stopHarnesses() closes them. */
export async function startHarness(
  kind: StoreKind,
  options: {
    script?: MockScript;
    store?: TestStoreOptions;
    storeInstance?: ResponseStore;
    relay?: TestRelayOptions;
  } = {},
): Promise<Harness> {
  const upstream = await startMockUpstream(options.script ?? numberedAnswers);
  const store = options.storeInstance ?? (await openTestStore(kind, options.store));
  const relay = await startTestRelay(upstream.baseUrl, { ...options.relay, store });
  const harness = { upstream, relay, store };
  running.push(harness);
  return harness;
}

export async function stopHarnesses(): Promise<void> {
  for (const harness of running.splice(0)) {
    await harness.relay.close();
    await harness.store.close();
    await harness.upstream.close();
  }
}

/** POSTs a Responses request; returns the status and the JSON body (or the SSE events). */
export async function createResponse(
  relay: RunningRelay,
  body: Record<string, unknown>,
): Promise<{ status: number; json: any; events: any[] }> {
  const response = await fetch(`${relay.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-model', ...body }),
  });
  if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    const events = await readSse(response);
    return { status: response.status, json: events.at(-1)?.response, events };
  }
  return { status: response.status, json: await response.json(), events: [] };
}

/** Any other request to the relay, JSON in and out. */
export async function call(relay: RunningRelay, method: string, path: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${relay.url}${path}`, { method });
  return { status: response.status, json: await response.json() };
}

/** The messages the upstream received in its n-th request (from 0). */
export function sentMessages(upstream: MockUpstream, index: number): any[] {
  return upstream.requests[index]!.body.messages;
}
