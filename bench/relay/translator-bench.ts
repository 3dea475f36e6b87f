/**
 * The translation cost alone, in this process, no network: a Codex request
 * parsed and built into a Chat request, and an upstream stream's `data:`
 * payloads turned into Responses SSE bytes the way the route does it
 * (applyBatch, then the response's SseEncoder into an SseText, then its
 * UTF-8 bytes, once per upstream read).
 */
import { performance } from 'node:perf_hooks';
import { genericProvider } from '../../src/providers/generic.js';
import { createRandomId } from '../../src/server/ids.js';
import { SseEncoder } from '../../src/server/sse-encoding.js';
import { SseText } from '../../src/server/sse-text.js';
import { applyBatch } from '../../src/server/turn-stream.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { buildResponseEcho } from '../../src/translate/stream/response-object.js';
import { ResponseStreamTranslator } from '../../src/translate/stream/response-stream.js';
import { type StreamVariant, upstreamPayloads } from './workload.js';

export interface TranslatorFigures {
  variant: StreamVariant;
  /** Upstream payloads per read (1: every chunk arrives on its own). */
  payloadsPerRead: number;
  streams: number;
  chunksPerSecond: number;
  microsecondsPerChunk: number;
  /** CPU time per whole stream, ms. */
  cpuMsPerStream: number;
  /** SSE bytes written per stream. */
  bytesPerStream: number;
}

export interface RequestFigures {
  requestBytes: number;
  /** JSON.parse, validation and building the Chat request, per request. */
  microsecondsPerRequest: number;
}

function cpuMicroseconds(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** Runs `body` repeatedly for at least `minimumMs` and returns the CPU µs per run. */
function timeRepeated(minimumMs: number, body: () => void): { runs: number; cpuMicroseconds: number } {
  for (let warm = 0; warm < 20; warm++) body();
  const wallStart = performance.now();
  const cpuStart = cpuMicroseconds();
  let runs = 0;
  while (performance.now() - wallStart < minimumMs) {
    body();
    runs++;
  }
  return { runs, cpuMicroseconds: cpuMicroseconds() - cpuStart };
}

/** Request translation: what the relay does with a Codex request body before it calls the upstream. */
export function measureRequestTranslation(requestBody: string, minimumMs: number): RequestFigures {
  const { runs, cpuMicroseconds: spent } = timeRepeated(minimumMs, () => {
    const body = JSON.parse(requestBody) as Record<string, unknown>;
    const { request, notes } = parseResponsesRequest(body);
    const built = buildChatRequest(request, genericProvider, request.model, notes);
    buildResponseEcho(request);
    JSON.stringify(built.body);
  });
  return { requestBytes: Buffer.byteLength(requestBody), microsecondsPerRequest: spent / runs };
}

/** Stream translation: upstream payloads → SSE text, one encode per simulated read. */
export function measureStreamTranslation(
  variant: StreamVariant,
  chunks: number,
  requestBody: string,
  payloadsPerRead: number,
  minimumMs: number,
): TranslatorFigures {
  const body = JSON.parse(requestBody) as Record<string, unknown>;
  const { request, notes } = parseResponsesRequest(body);
  const built = buildChatRequest(request, genericProvider, request.model, notes);
  const echo = buildResponseEcho(request);
  const payloads = upstreamPayloads(variant, chunks);
  const reads: string[][] = [];
  for (let start = 0; start < payloads.length; start += payloadsPerRead)
    reads.push(payloads.slice(start, start + payloadsPerRead));

  let bytesPerStream = 0;
  const { runs, cpuMicroseconds: spent } = timeRepeated(minimumMs, () => {
    const translator = new ResponseStreamTranslator({
      responseId: createRandomId('resp'),
      createdAt: Math.floor(Date.now() / 1000),
      createId: createRandomId,
      now: () => Math.floor(Date.now() / 1000),
      echo,
      names: built.names,
      hooks: genericProvider.hooks,
      classifyStreamError: () => ({ code: 'server_error', message: 'stream error' }),
    });
    const sse = new SseEncoder(echo);
    let bytes = Buffer.from(sse.encode(translator.start())).length;
    for (const read of reads) {
      if (translator.ended) break;
      const text = new SseText();
      sse.encodeInto(applyBatch(translator, read).events, text);
      bytes += text.toBytes().length;
    }
    if (!translator.ended) throw new Error(`${variant}: the translator did not reach a terminal event`);
    bytesPerStream = bytes;
  });
  const chunkCount = payloads.length;
  return {
    variant,
    payloadsPerRead,
    streams: runs,
    chunksPerSecond: (runs * chunkCount) / (spent / 1e6),
    microsecondsPerChunk: spent / (runs * chunkCount),
    cpuMsPerStream: spent / runs / 1000,
    bytesPerStream,
  };
}
