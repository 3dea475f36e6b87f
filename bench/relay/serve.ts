/**
 * Entry point for the benchmark's helper processes, so each one's CPU and
 * memory can be read on its own:
 *   node serve.js mock-upstream --chunks 500 --events-per-write 1
 *   node serve.js byte-pipe --upstream http://127.0.0.1:PORT
 *   node serve.js rewriting-pipe --upstream http://127.0.0.1:PORT
 * Prints `listening on URL` when ready and stops on SIGTERM.
 */
import { parseArgs } from 'node:util';
import type { RunningServer } from '../support/listen.js';
import { startBytePipe } from './byte-pipe.js';
import { startMockUpstream } from './mock-upstream.js';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      chunks: { type: 'string', default: '500' },
      'events-per-write': { type: 'string', default: '1' },
      upstream: { type: 'string' },
    },
  });
  const role = positionals[0];
  let server: RunningServer;
  if (role === 'mock-upstream') {
    server = await startMockUpstream({
      host: '127.0.0.1',
      port: 0,
      chunks: Number(values.chunks),
      eventsPerWrite: Number(values['events-per-write']),
    });
  } else if (role === 'byte-pipe' || role === 'rewriting-pipe') {
    if (!values.upstream) throw new Error(`${role} needs --upstream URL`);
    server = await startBytePipe({
      host: '127.0.0.1',
      port: 0,
      upstreamUrl: values.upstream,
      rewrite: role === 'rewriting-pipe',
    });
  } else {
    throw new Error(`unknown role '${role}': expected mock-upstream, byte-pipe or rewriting-pipe`);
  }
  process.stdout.write(`listening on ${server.url}\n`);
  process.once('SIGTERM', () => {
    void server.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
