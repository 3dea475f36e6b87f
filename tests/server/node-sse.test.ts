/** The direct Node writer when the client is already gone or the producer fails. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import {
  SseBody,
  type SsePieceSource,
  sseResponse,
  takeNodeWriter,
  writeSseToNode,
} from '../../src/server/node-sse.js';
import { SseText } from '../../src/server/sse-text.js';

function fakeSource(pieces: Array<string | Error>): SsePieceSource & { cancelled: number; handedOut: number } {
  const source = {
    cancelled: 0,
    handedOut: 0,
    startHeartbeats: () => undefined,
    next: async () => {
      const piece = pieces[source.handedOut++];
      if (piece instanceof Error) throw piece;
      if (piece === undefined) return undefined;
      const text = new SseText();
      text.append(piece, false);
      return text;
    },
    cancel: () => {
      source.cancelled++;
    },
  };
  return source;
}

function serverResponse(): ServerResponse {
  return new ServerResponse(new IncomingMessage(new Socket()));
}

describe('writeSseToNode', () => {
  it('cancels the turn without writing when the client has already left', async () => {
    const outgoing = serverResponse();
    outgoing.destroy();
    const source = fakeSource(['event: a\ndata: {}\n\n']);
    await writeSseToNode(source, new Response(null, { headers: { 'content-type': 'text/event-stream' } }), outgoing);
    expect(source.cancelled).toBe(1);
    expect(source.handedOut).toBe(0);
    expect(outgoing.headersSent).toBe(false);
  });

  it('cancels the turn and passes the error on when a piece cannot be produced', async () => {
    const outgoing = serverResponse();
    const source = fakeSource([new Error('translator failed')]);
    await expect(writeSseToNode(source, new Response(null), outgoing)).rejects.toThrow('translator failed');
    expect(source.cancelled).toBe(1);
  });
});

// Node's own Response, and the Node adapter's lightweight one that the relay's server puts in its place.
const NodeResponse = globalThis.Response;
getRequestListener(() => new Response(null));
const AdapterResponse = globalThis.Response;

describe.each([
  ['Node', NodeResponse],
  ['the Node adapter', AdapterResponse],
])('the hand-off to the Node writer (%s Response)', (_name, ResponseClass) => {
  const respond = (source: SsePieceSource, headers: Record<string, string> = {}) =>
    sseResponse(source, headers, ResponseClass);

  it('hands a turn out once, without reading its body, and nothing for other responses', () => {
    const source = fakeSource([]);
    const response = respond(source, { 'content-type': 'text/event-stream' });
    expect(takeNodeWriter(new ResponseClass('y'))).toBeUndefined();
    expect(takeNodeWriter(response)).toBe(source);
    expect(takeNodeWriter(response)).toBeUndefined();
    expect(source.handedOut).toBe(0);
    expect(source.cancelled).toBe(0);
  });

  it('leaves a taken turn to the Node writer alone', async () => {
    const source = fakeSource(['event: a\ndata: {}\n\n']);
    const response = respond(source);
    expect(takeNodeWriter(response)).toBe(source);
    // Taken: a reader of the body finds it empty rather than a second copy of the turn.
    expect(await response.text()).toBe('');
    expect(source.handedOut).toBe(0);
  });

  it('streams every piece through the web stream once the body is read, and hands nothing out then', async () => {
    const source = fakeSource(['event: a\ndata: {}\n\n', 'event: b\ndata: {}\n\n']);
    const response = respond(source);
    const reader = response.body!.getReader();
    const pieces = [(await reader.read()).value];
    // Whoever reads first has the turn: the Node writer finds nothing to take now.
    expect(takeNodeWriter(response)).toBeUndefined();
    for (let read = await reader.read(); !read.done; read = await reader.read()) pieces.push(read.value);
    expect(Buffer.concat(pieces.map((piece) => Buffer.from(piece!))).toString()).toBe(
      'event: a\ndata: {}\n\nevent: b\ndata: {}\n\n',
    );
  });

  it('streams a response rebuilt around the body (a header set after the route) through the web stream, complete', async () => {
    const source = fakeSource(['event: a\ndata: {}\n\n', 'event: b\ndata: {}\n\n']);
    const original = respond(source, { 'content-type': 'text/event-stream' });
    const rebuilt = new ResponseClass(original.body, original);
    expect(takeNodeWriter(rebuilt)).toBeUndefined();
    expect(await rebuilt.text()).toBe('event: a\ndata: {}\n\nevent: b\ndata: {}\n\n');
    expect(source.cancelled).toBe(0);
  });

  it('stops the turn when a reader gives up on the body before reading it', async () => {
    const source = fakeSource(['event: a\ndata: {}\n\n']);
    const body = new SseBody(source);
    await body[Symbol.asyncIterator]().return?.();
    expect(source.cancelled).toBe(1);
    expect(takeNodeWriter(respond(fakeSource([])))).toBeDefined();
  });
});
