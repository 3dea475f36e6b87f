/**
 * What a long conversation costs per turn, over HTTP and over the WebSocket
 * (the `history` module measures HTTP alone in more detail).
 * Over HTTP, Codex resends the whole history every turn; over the WebSocket
 * it sends only the new items after `previous_response_id`, and the relay
 * rebuilds the rest from the connection's chain. For a history of 0, 200 and
 * 800 earlier tool rounds (history-workload.ts), it times each turn
 * from sending to the first text delta and reads the relay's CPU time over
 * the turns. Each measured turn adds one tool round, as Codex's turns do.
 */

import { mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { processCpuMs, type ServerProcess, spawnServer } from '../support/processes.js';
import { median, round } from '../support/stats.js';
import type { BenchContext, BenchModule, BenchSection } from '../types.js';
import { roundItems } from './history-workload.js';
import { codexLikeRequest } from './workload.js';

const DELTA_MARKER = '.delta"';
const TRANSPORTS = ['http', 'websocket'] as const;
type Transport = (typeof TRANSPORTS)[number];

interface TransportFigure {
  rounds: number;
  transport: Transport;
  /** Median milliseconds from sending the turn to its first text delta. */
  firstDeltaMs: number;
  /** Relay CPU milliseconds per turn (user + system, averaged over the turns). */
  relayCpuMs: number;
  /** Bytes the client sent per turn (median). */
  requestBytes: number;
}

function rounds(from: number, count: number): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  for (let index = from; index < from + count; index++) items.push(...roundItems(index));
  return items;
}

/** Sends one streamed POST and resolves with the time to the first delta once the stream has ended. */
function postTurn(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstDelta: number | undefined;
    const outgoing = httpRequest(
      `${url}/v1/responses`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          if (firstDelta === undefined && text.includes(DELTA_MARKER)) firstDelta = performance.now() - started;
        });
        response.on('end', () =>
          firstDelta === undefined
            ? reject(new Error(`no delta (status ${response.statusCode})`))
            : resolve(firstDelta),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** A Responses WebSocket that sends one message at a time and reads its turn. */
class BenchSocket {
  private onFrame: ((text: string) => void) | undefined;
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.onFrame?.(data.toString()));
  }

  static open(url: string): Promise<BenchSocket> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/responses`, { perMessageDeflate: true });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new BenchSocket(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a turn; resolves with the response id and the time to its first delta. */
  turn(message: string): Promise<{ id: string; firstDeltaMs: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let firstDelta = 0;
      this.onFrame = (text) => {
        if (firstDelta === 0 && text.includes(DELTA_MARKER)) firstDelta = performance.now() - started;
        if (text.startsWith('{"type":"error"')) reject(new Error(text));
        if (!text.startsWith('{"type":"response.completed"')) return;
        const id = (JSON.parse(text) as { response: { id: string } }).response.id;
        resolve({ id, firstDeltaMs: firstDelta });
      };
      this.socket.send(message);
    });
  }
}

async function measure(
  relay: ServerProcess,
  transport: Transport,
  historyRounds: number,
  turns: number,
): Promise<TransportFigure> {
  const base = codexLikeRequest('text', { chunks: 20, mcpTools: 0 });
  const opening = base.input as Array<Record<string, unknown>>;
  const history = [...opening, ...rounds(0, historyRounds)];
  const delays: number[] = [];
  const sizes: number[] = [];
  let cpuBefore: number;
  if (transport === 'http') {
    // The first turn warms up as the WebSocket's seeding turn does.
    await postTurn(relay.url, JSON.stringify({ ...base, input: history }));
    cpuBefore = processCpuMs(relay.pid);
    for (let turn = 0; turn < turns; turn++) {
      history.push(...roundItems(historyRounds + turn));
      const body = JSON.stringify({ ...base, input: history });
      sizes.push(Buffer.byteLength(body));
      delays.push(await postTurn(relay.url, body));
    }
  } else {
    const socket = await BenchSocket.open(relay.url);
    // Codex reconnecting mid-session sends the whole history once; after that only increments.
    let previous = (await socket.turn(JSON.stringify({ type: 'response.create', ...base, input: history }))).id;
    cpuBefore = processCpuMs(relay.pid);
    for (let turn = 0; turn < turns; turn++) {
      const message = JSON.stringify({
        type: 'response.create',
        ...base,
        input: roundItems(historyRounds + turn),
        previous_response_id: previous,
      });
      sizes.push(Buffer.byteLength(message));
      const result = await socket.turn(message);
      previous = result.id;
      delays.push(result.firstDeltaMs);
    }
    socket.socket.close();
  }
  const cpuMs = processCpuMs(relay.pid) - cpuBefore;
  return {
    rounds: historyRounds,
    transport,
    firstDeltaMs: round(median(delays), 2),
    relayCpuMs: round(cpuMs / turns, 2),
    requestBytes: Math.round(median(sizes)),
  };
}

function render(figures: readonly TransportFigure[], turns: number): string {
  const lines = [
    `Run by \`npm run bench -- --only websocket\`: ${turns} turns per row, each adding one tool round to a Codex-sized opening (tools, developer messages), the upstream streaming 20 text chunks.`,
    '',
    '| Earlier tool rounds | Transport | Sent per turn | First delta (median) | Relay CPU per turn |',
    '|---:|---|---:|---:|---:|',
    ...figures.map(
      (figure) =>
        `| ${figure.rounds} | ${figure.transport === 'http' ? 'HTTP' : 'WebSocket'} | ${(figure.requestBytes / 1024).toFixed(1)} KiB | ${figure.firstDeltaMs.toFixed(2)} ms | ${figure.relayCpuMs.toFixed(2)} ms |`,
    ),
  ];
  return lines.join('\n');
}

async function run(context: BenchContext): Promise<BenchSection> {
  const turns = Number(context.options.turns ?? (context.quick ? 10 : 40));
  const roundCounts = String(context.options.rounds ?? '0,200,800')
    .split(',')
    .map(Number);
  const build = join(context.root, '.bench-build');
  const logDirectory = join(context.root, '.tmp', 'bench');
  mkdirSync(logDirectory, { recursive: true });
  const serveScript = join(build, 'bench', 'relay', 'serve.js');
  const mock = await spawnServer({
    name: 'mock upstream',
    args: [serveScript, 'mock-upstream', '--chunks', '20'],
    stderrPath: join(logDirectory, 'websocket-mock.log'),
  });
  const relay = await spawnServer({
    name: 'relay',
    args: [
      join(build, 'src', 'cli', 'main.js'),
      '--port',
      '0',
      '--upstream',
      `${mock.url}/v1`,
      '--store',
      'memory',
      '--log-level',
      'warn',
      '--max-body-mb',
      '200',
    ],
    stderrPath: join(logDirectory, 'websocket-relay.log'),
  });
  try {
    const figures: TransportFigure[] = [];
    for (const historyRounds of roundCounts) {
      for (const transport of TRANSPORTS) {
        const figure = await measure(relay, transport, historyRounds, turns);
        context.log(
          `${historyRounds} earlier rounds over ${transport}: first delta ${figure.firstDeltaMs} ms, relay CPU ${figure.relayCpuMs} ms per turn`,
        );
        figures.push(figure);
      }
    }
    return { results: { turns, figures }, markdown: render(figures, turns) };
  } finally {
    await relay.stop();
    await mock.stop();
  }
}

export const websocketBench: BenchModule = {
  name: 'websocket',
  description:
    'Cost of a turn against the length of the conversation, HTTP (whole history each turn) against the WebSocket (only the new items)',
  options: { turns: { type: 'string' }, rounds: { type: 'string' } },
  run,
};
