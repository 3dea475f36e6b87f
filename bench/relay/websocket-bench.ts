/**
 * What a long conversation costs per turn, over HTTP and over the WebSocket
 * (the `history` module measures HTTP alone in more detail).
 * Over HTTP, Codex resends the whole history every turn; over the WebSocket
 * it sends only the new items after `previous_response_id`, and the relay
 * rebuilds the rest from the connection's chain. For a history of 0, 200 and
 * 800 earlier tool rounds (history-workload.ts), it times each turn
 * from sending to the first text delta and reads the relay's CPU time over
 * the turns. Each measured turn adds one tool round, as Codex's turns do.
 * The floor beside them: the same turns' Chat request (the body the relay
 * sends upstream, which grows with the conversation) posted through the
 * minimal byte pipe, whose CPU per turn is what moving those bytes costs.
 */

import { mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { processCpuMs, type ServerProcess, spawnServer } from '../support/processes.js';
import { median, round } from '../support/stats.js';
import type { BenchContext, BenchModule, BenchSection } from '../types.js';
import { roundItems } from './history-workload.js';
import { codexLikeRequest } from './workload.js';

const DELTA_MARKER = '.delta"';
/** The mock's first `data:` line always carries the first delta. */
const CHAT_DELTA_MARKER = 'data: {';
const TRANSPORTS = ['http', 'websocket'] as const;
/** `pipe`: the upstream body alone, through the byte pipe. */
type Transport = (typeof TRANSPORTS)[number] | 'pipe';

interface TransportFigure {
  rounds: number;
  transport: Transport;
  /** Median milliseconds from sending the turn to its first text delta. */
  firstDeltaMs: number;
  /** Relay (or pipe) CPU milliseconds per turn (user + system, averaged over the turns). */
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
function postTurn(
  url: string,
  body: string,
  path = '/v1/responses',
  marker = DELTA_MARKER,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstDelta: number | undefined;
    const outgoing = httpRequest(
      `${url}${path}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (text: string) => {
          if (firstDelta === undefined && text.includes(marker)) firstDelta = performance.now() - started;
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
    // Codex names its conversation: the relay reads only what each turn adds to the one before.
    const session = { 'session-id': `websocket-bench-${process.pid}-${historyRounds}` };
    const post = (body: string) => postTurn(relay.url, body, '/v1/responses', DELTA_MARKER, session);
    // The first turn warms up as the WebSocket's seeding turn does.
    await post(JSON.stringify({ ...base, input: history }));
    cpuBefore = processCpuMs(relay.pid);
    for (let turn = 0; turn < turns; turn++) {
      history.push(...roundItems(historyRounds + turn));
      const body = JSON.stringify({ ...base, input: history });
      sizes.push(Buffer.byteLength(body));
      delays.push(await post(body));
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

/** The Chat request the relay sends upstream for a conversation (generic provider). */
function upstreamBody(base: Record<string, unknown>, input: Array<Record<string, unknown>>): string {
  const { request, notes } = parseResponsesRequest({ ...base, input });
  return JSON.stringify(buildChatRequest(request, genericProvider, request.model, notes).body);
}

/** The same turns' upstream bodies through the byte pipe: the cost of moving the bytes a Chat upstream receives. */
async function measurePipe(pipe: ServerProcess, historyRounds: number, turns: number): Promise<TransportFigure> {
  const base = codexLikeRequest('text', { chunks: 20, mcpTools: 0 });
  const history = [...(base.input as Array<Record<string, unknown>>), ...rounds(0, historyRounds)];
  await postTurn(pipe.url, upstreamBody(base, history), '/v1/chat/completions', CHAT_DELTA_MARKER);
  const delays: number[] = [];
  const sizes: number[] = [];
  // The pipe idles while the bench builds each body: its CPU over the turns is the moving alone.
  const cpuBefore = processCpuMs(pipe.pid);
  for (let turn = 0; turn < turns; turn++) {
    history.push(...roundItems(historyRounds + turn));
    const body = upstreamBody(base, history);
    sizes.push(Buffer.byteLength(body));
    delays.push(await postTurn(pipe.url, body, '/v1/chat/completions', CHAT_DELTA_MARKER));
  }
  const cpuMs = processCpuMs(pipe.pid) - cpuBefore;
  return {
    rounds: historyRounds,
    transport: 'pipe',
    firstDeltaMs: round(median(delays), 2),
    relayCpuMs: round(cpuMs / turns, 2),
    requestBytes: Math.round(median(sizes)),
  };
}

const TRANSPORT_LABELS: Record<Transport, string> = {
  http: 'HTTP',
  websocket: 'WebSocket',
  pipe: 'Byte pipe, upstream body only',
};

function render(figures: readonly TransportFigure[], turns: number): string {
  const lines = [
    `Run by \`npm run bench -- --only websocket\`: ${turns} turns per row, each adding one tool round to a Codex-sized opening (tools, developer messages), the upstream streaming 20 text chunks. The byte-pipe rows post the same turns' upstream Chat request (what the relay sends the upstream) through the minimal byte pipe: their CPU column is the pipe's, the floor for moving those bytes.`,
    '',
    '| Earlier tool rounds | Transport | Sent per turn | First delta (median) | Relay CPU per turn |',
    '|---:|---|---:|---:|---:|',
    ...figures.map(
      (figure) =>
        `| ${figure.rounds} | ${TRANSPORT_LABELS[figure.transport]} | ${(figure.requestBytes / 1024).toFixed(1)} KiB | ${figure.firstDeltaMs.toFixed(2)} ms | ${figure.relayCpuMs.toFixed(2)} ms |`,
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
      // Another build of the relay (`--relay-cli`), to compare two in one sitting.
      typeof context.options['relay-cli'] === 'string'
        ? resolve(context.options['relay-cli'])
        : join(context.root, 'dist', 'cli', 'main.js'),
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
  const pipe = await spawnServer({
    name: 'byte pipe',
    args: [serveScript, 'byte-pipe', '--upstream', mock.url],
    stderrPath: join(logDirectory, 'websocket-pipe.log'),
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
      const floor = await measurePipe(pipe, historyRounds, turns);
      context.log(
        `${historyRounds} earlier rounds, upstream body through the byte pipe: first delta ${floor.firstDeltaMs} ms, pipe CPU ${floor.relayCpuMs} ms per turn`,
      );
      figures.push(floor);
    }
    return { results: { turns, figures }, markdown: render(figures, turns) };
  } finally {
    await pipe.stop();
    await relay.stop();
    await mock.stop();
  }
}

export const websocketBench: BenchModule = {
  name: 'websocket',
  description:
    'Cost of a turn against the length of the conversation, HTTP (whole history each turn) against the WebSocket (only the new items)',
  options: { turns: { type: 'string' }, rounds: { type: 'string' }, 'relay-cli': { type: 'string' } },
  run,
};
