/**
 * A real `redis-server` for tests: on a free loopback port, with its own
 * temporary directory, append-only file synced on every write (so a killed
 * server restarts with its data), stopped when the test file ends.
 * `tests/support/redis-global-setup.ts` installs the Debian package first when
 * it is missing and the tests run as root; without it these helpers fail with
 * a message saying how to install it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestRedis {
  port: number;
  url: string;
  /** Kills the server with SIGKILL (nothing flushed beyond what fsync already wrote). */
  kill(): Promise<void>;
  /** Starts the server again on the same port and directory. */
  restart(): Promise<void>;
  /** Runs one command through redis-cli and returns its output. */
  cli(...args: string[]): string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const INSTALL_ADVICE =
  'redis-server is not installed, so the Redis store tests cannot run. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`, ' +
  'or run `bash scripts/ensure-redis-server.sh` as root), then run the tests again.';

/** The redis-server binary, or an error saying how to install it. */
export function redisServerBinary(): string {
  for (const candidate of ['/usr/bin/redis-server', '/usr/sbin/redis-server', '/usr/local/bin/redis-server'])
    if (existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status === 0 && path !== '') return path;
  throw new Error(INSTALL_ADVICE);
}

export interface TestRedisOptions {
  /** `always` (default: a killed server loses nothing) or `everysec` (Redis's default for the append-only file). */
  appendfsync?: 'always' | 'everysec';
}

/** Starts a redis-server; call stop() in afterAll. */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const binary = redisServerBinary();
  const directory = mkdtempSync(join(tmpdir(), 'relay-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        directory,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        options.appendfsync ?? 'always',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    await waitUntilAnswering(port, child);
  };
  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  // A test process that dies leaves no server behind.
  process.once('exit', () => child?.kill('SIGKILL'));
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: launch,
    cli: (...args) => {
      const cliBinary = binary.replace(/redis-server$/, 'redis-cli');
      return spawnSync(cliBinary, ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();
    },
    async stop() {
      await kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits (at most 10 s) until the server answers PING. */
async function waitUntilAnswering(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited with code ${child.exitCode} before answering on port ${port}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer on port ${port} within 10 s`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += String(data);
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
  });
}
