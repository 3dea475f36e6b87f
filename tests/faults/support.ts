/** Helpers shared by the fault and operations tests: requests, gates, stream reading, metric lookup. */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { deltaChunk, finishChunk } from '../support/mock-upstream.js';

/** POST /v1/responses with a JSON body. */
export function postResponse(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

/** A promise opened from outside. */
export interface Gate {
  opened: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Writes the start of an answer, waits for `gate`, then finishes it (a stream held open by the test). */
export async function answerAfter(gate: Promise<void>, response: ServerResponse, text = 'held'): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(`data: ${JSON.stringify(deltaChunk({ role: 'assistant', content: text }))}\n\n`);
  await gate;
  if (response.destroyed) return;
  response.write(`data: ${JSON.stringify(finishChunk('stop'))}\n\ndata: [DONE]\n\n`);
  response.end();
}

/** Reads a stream until its text contains `marker`; returns what was read. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before '${marker}': ${text.slice(-500)}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** The `data:` events of SSE text. */
export function parseEvents(text: string): Array<Record<string, any>> {
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: ')))
    .filter((line): line is string => line !== undefined)
    .map((line) => JSON.parse(line.slice(6)) as Record<string, any>);
}

/** The value of one series in Prometheus text, or undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1]!, label[2]!]),
    );
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

/** Waits until `condition` holds, checking every 10 ms (bounded by the test's timeout). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 10_000,
): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Records unhandled rejections and uncaught exceptions from now on: a fault
 * must end as an error reply or a failed stream, never as a loose promise.
 */
export function watchProcessErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', record);
      process.off('uncaughtException', record);
    },
  };
}

/**
 * For a whole test file: watches the process for unhandled rejections and
 * uncaught exceptions, and after each test runs `cleanUp` (closing the test's
 * servers) and fails the test if anything went unhandled.
 */
export function failOnProcessErrors(cleanUp: () => Promise<void>): void {
  let watcher: ReturnType<typeof watchProcessErrors> | undefined;
  beforeAll(() => {
    watcher = watchProcessErrors();
  });
  afterAll(() => watcher?.stop());
  afterEach(async () => {
    await cleanUp();
    expect(watcher!.errors).toEqual([]);
  });
}
