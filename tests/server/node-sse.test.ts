/** The direct Node writer when the client is already gone or the producer fails. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
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

describe('the hand-off to the Node writer', () => {
  it('hands a turn out once, and nothing for other responses', () => {
    const source = fakeSource([]);
    const response = new Response(new SseBody(source));
    expect(takeNodeWriter(new Response('y'))).toBeUndefined();
    expect(takeNodeWriter(response)).toBe(source);
    expect(takeNodeWriter(response)).toBeUndefined();
  });

  it('finds the turn of a response made for it without reading its body', () => {
    const source = fakeSource([]);
    const response = sseResponse(source, { 'content-type': 'text/event-stream' });
    expect(takeNodeWriter(response)).toBe(source);
    expect(takeNodeWriter(response)).toBeUndefined();
    // Once taken, nobody else reads the turn through the body either.
    expect(response.body?.locked).toBe(false);
    expect(takeNodeWriter(new Response(response.body))).toBeUndefined();
  });

  it('survives middleware answering with a new Response around the same body', () => {
    const source = fakeSource([]);
    const rewrapped = new Response(new Response(new SseBody(source)).body, { headers: { 'x-request-id': 'req_1' } });
    expect(takeNodeWriter(rewrapped)).toBe(source);
  });

  it('hands nothing out once the body is being read as a web stream, which then carries every piece', async () => {
    const source = fakeSource(['event: a\ndata: {}\n\n', 'event: b\ndata: {}\n\n']);
    const response = new Response(new SseBody(source));
    const text = response.text();
    expect(takeNodeWriter(response)).toBeUndefined();
    expect(await text).toBe('event: a\ndata: {}\n\nevent: b\ndata: {}\n\n');
  });
});
