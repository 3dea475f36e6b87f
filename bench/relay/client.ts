/**
 * The one client every path is measured with: node:http over a keep-alive
 * agent, timing the first delta and the end of each stream. It only looks
 * for byte markers, so its own cost is the same whatever it reads.
 */
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

/** A stream silent for this long fails the run instead of hanging it. */
const STREAM_TIMEOUT_MS = 30_000;

export type PathName = 'direct' | 'pipe' | 'relay';
/** The paths of the sequential phase: the three above and the rewriting pipe (bench/relay/byte-pipe.ts). */
export type SequentialPathName = PathName | 'rewrite';

export interface StreamTarget {
  path: SequentialPathName;
  /** Full URL of the endpoint (…/v1/chat/completions or …/v1/responses). */
  url: URL;
  agent: Agent;
  /** Bytes that show the first delta has arrived. */
  firstMarker: Buffer;
  /** Bytes that show the stream ended properly (checked on every stream). */
  endMarker: Buffer;
}

export interface StreamTiming {
  /** Milliseconds from sending the request to the first delta. */
  firstDeltaMs: number;
  /** Milliseconds from sending the request to the last byte. */
  endMs: number;
  bytes: number;
}

/** Finds a marker in a byte stream, also when it is cut across two reads. */
export class MarkerScanner {
  private tail: Buffer = Buffer.alloc(0);
  found = false;

  constructor(private readonly marker: Buffer) {}

  /** Feeds the next read; true once the marker has been seen. */
  push(chunk: Buffer): boolean {
    if (this.found) return true;
    if (chunk.indexOf(this.marker) !== -1) {
      this.found = true;
      return true;
    }
    const keep = this.marker.length - 1;
    if (this.tail.length > 0) {
      const seam = Buffer.concat([this.tail, chunk.subarray(0, keep)]);
      if (seam.indexOf(this.marker) !== -1) {
        this.found = true;
        return true;
      }
    }
    this.tail =
      chunk.length >= keep ? chunk.subarray(chunk.length - keep) : Buffer.concat([this.tail, chunk]).subarray(-keep);
    return false;
  }
}

/** The markers of each path: Chat Completions SSE for direct and pipe, Responses SSE for the relay. */
export function markersFor(path: SequentialPathName): Pick<StreamTarget, 'firstMarker' | 'endMarker'> {
  if (path === 'relay')
    return { firstMarker: Buffer.from('.delta\n'), endMarker: Buffer.from('event: response.completed\n') };
  // The mock's first `data:` line always carries the first delta.
  return { firstMarker: Buffer.from('data: {'), endMarker: Buffer.from('data: [DONE]') };
}

/**
 * A keep-alive agent for one path, with room for every concurrent client.
 * Idle sockets are closed after 4 s, before a server's own keep-alive timeout
 * (Node's default is 5 s) can close one just as it is reused.
 */
export function createClientAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 4_000 });
}

function withPath(path: SequentialPathName, reject: (error: Error) => void): (error: Error) => void {
  return (error) => reject(new Error(`${path}: ${error.message}`, { cause: error }));
}

/**
 * Sends one request (with `headers` besides the usual ones) and times its
 * stream; rejects on a non-200 answer or a stream that did not end properly.
 */
export function timeStream(
  target: StreamTarget,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let firstDeltaAt = 0;
    let bytes = 0;
    const first = new MarkerScanner(target.firstMarker);
    const end = new MarkerScanner(target.endMarker);
    const request = httpRequest(
      target.url,
      {
        method: 'POST',
        agent: target.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: 'Bearer sk-bench',
          ...headers,
        },
      },
      (response) => {
        if (response.statusCode !== 200) {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (piece: string) => (text += piece));
          response.on('end', () =>
            reject(new Error(`${target.path}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`)),
          );
          return;
        }
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (firstDeltaAt === 0 && first.push(chunk)) firstDeltaAt = performance.now();
          end.push(chunk);
        });
        response.on('end', () => {
          const endedAt = performance.now();
          if (!first.found || !end.found) {
            reject(
              new Error(
                `${target.path}: the stream ended without ${first.found ? 'its terminal event' : 'any delta'} (${bytes} bytes)`,
              ),
            );
            return;
          }
          resolve({ firstDeltaMs: firstDeltaAt - startedAt, endMs: endedAt - startedAt, bytes });
        });
        response.on('error', withPath(target.path, reject));
      },
    );
    request.setTimeout(STREAM_TIMEOUT_MS, () => request.destroy(new Error(`no data for ${STREAM_TIMEOUT_MS} ms`)));
    request.on('error', withPath(target.path, reject));
    request.end(body);
  });
}

/** Reads one whole stream as text (for checking its content, not for timing). */
export function readStream(target: StreamTarget, body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      target.url,
      {
        method: 'POST',
        agent: target.agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (piece: string) => (text += piece));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(text)
            : reject(new Error(`${target.path}: HTTP ${response.statusCode}: ${text.slice(0, 300)}`)),
        );
        response.on('error', withPath(target.path, reject));
      },
    );
    request.setTimeout(STREAM_TIMEOUT_MS, () => request.destroy(new Error(`no data for ${STREAM_TIMEOUT_MS} ms`)));
    request.on('error', withPath(target.path, reject));
    request.end(body);
  });
}
