/**
 * A streamed turn lives as long as its answer streams. What it keeps that
 * long should be what its end needs: a response that is not stored (Codex
 * sends `store: false`) has no use for the parsed request once the upstream
 * has it, and letting go of it keeps tens of KB per stream out of every
 * young-generation collection (docs/benchmarks.md, step 19).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { genericProvider } from '../../src/providers/generic.js';
import { ModelRouter } from '../../src/routing/router.js';
import { runTurn, type StreamedTurn } from '../../src/server/run-turn.js';
import { createServices } from '../../src/server/services.js';
import { MemoryResponseStore } from '../../src/store/memory-store.js';
import { finishChunk, textChunks } from '../support/mock-upstream.js';
import { useTestServers } from '../support/test-servers.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const servers = useTestServers();

/** Starts a turn whose upstream sends one delta, then waits for `release`; the request is only reachable through a WeakRef. */
async function startHeldTurn(store: boolean, release: Promise<void>) {
  const upstream = await servers.mockUpstream(() => ({
    kind: 'custom',
    handle: async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const [first, ...rest] = [...textChunks('held ', 'then the rest'), finishChunk('stop')];
      response.write(`data: ${JSON.stringify(first)}\n\n`);
      await release;
      for (const chunk of rest) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      response.end('data: [DONE]\n\n');
    },
  }));
  const services = createServices({
    router: new ModelRouter(
      [{ name: 'generic', profile: genericProvider, endpoint: { baseUrl: upstream.baseUrl, apiKey: undefined } }],
      'generic',
    ),
    logger: silentLogger(),
    retryPolicy: { maxRetries: 0 },
    processMetrics: false,
    dispatcher: servers.track(new Agent()),
    store: new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1024 * 1024 }),
  });
  const { turn, items } = await (async () => {
    const input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'x'.repeat(10_000) }] }];
    let parsedItem: WeakRef<object> | undefined;
    const started = (await runTurn(services, {
      body: { model: 'mock-model', input, stream: true, store },
      origin: { requestId: 'req_1', userAgent: undefined, clientSignal: new AbortController().signal },
      log: silentLogger(),
      startedAt: Date.now(),
      stream: true,
      adjust: (parsed) => {
        parsedItem = new WeakRef(parsed.request.input[0]!);
        return parsed;
      },
    })) as StreamedTurn;
    // The transport keeps only the producer while it writes.
    return { turn: { producer: started.producer }, items: parsedItem! };
  })();
  const opening = await turn.producer.next();
  const firstDelta = await turn.producer.next();
  expect(opening?.toString()).toContain('response.created');
  expect(firstDelta?.toString()).toContain('held ');
  return { producer: turn.producer, items };
}

async function readToEnd(producer: StreamedTurn['producer']): Promise<string> {
  let text = '';
  for (let piece = await producer.next(); piece !== undefined; piece = await producer.next()) text += piece.toString();
  return text;
}

describe('a streamed turn', () => {
  it.each([
    { store: false, kept: false, case: 'lets go of the request of a response that is not stored while it streams' },
    { store: true, kept: true, case: 'keeps the request of a response it will store until the response is written' },
  ])('$case', async ({ store, kept }) => {
    let release!: () => void;
    const { producer, items } = await startHeldTurn(store, new Promise((resolve) => (release = resolve)));
    try {
      collectGarbage();
      expect(items.deref() !== undefined).toBe(kept);
    } finally {
      release();
    }
    expect(await readToEnd(producer)).toContain('response.completed');
  });
});
