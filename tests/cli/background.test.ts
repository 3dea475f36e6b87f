/**
 * `start`, `status`, `stop`, `restart`, `logs` and `service` through the built
 * CLI, with the PID and log files in a temporary XDG_STATE_HOME.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI_PATH, runCli } from '../support/cli.js';
import { finishChunk, type MockUpstream, startMockUpstream, textChunks } from '../support/mock-upstream.js';

let root: string;
let upstream: MockUpstream;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'relay-background-'));
  upstream = await startMockUpstream(() => ({ kind: 'sse', chunks: [...textChunks('hello'), finishChunk('stop')] }));
});

afterAll(async () => {
  await upstream?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A fresh state directory per test; whatever a test left running is killed afterwards. */
let stateHome: string;
let environment: Record<string, string>;
let serial = 0;
function freshState() {
  stateHome = join(root, `state-${++serial}`);
  environment = { XDG_STATE_HOME: stateHome };
}
const pidFile = () => join(stateHome, 'responses-relay', 'relay.pid');
const logFile = () => join(stateHome, 'responses-relay', 'relay.log');
const serveArgs = () => ['--upstream', upstream.baseUrl, '--port', '0', '--store', 'memory', '--shutdown-grace', '2s'];

afterEach(() => {
  if (!existsSync(pidFile())) return;
  const { pid } = JSON.parse(readFileSync(pidFile(), 'utf8')) as { pid: number };
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
});

function field(output: string, name: string): string {
  const match = new RegExp(`^${name}: (.+)$`, 'm').exec(output);
  if (!match) throw new Error(`no "${name}:" line in:\n${output}`);
  return match[1]!;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

describe('the relay in the background', () => {
  it('starts, reports its status, refuses a second copy, restarts, shows its log and stops', async () => {
    freshState();
    const start = await runCli(['start', ...serveArgs()], environment);
    expect(start.code, start.stderr).toBe(0);
    const url = field(start.stdout, 'url');
    const pid = Number(field(start.stdout, 'pid'));
    expect(field(start.stdout, 'log')).toBe(logFile());
    expect(await answers(url)).toBe(true);

    const status = await runCli(['status'], environment);
    expect(status.code).toBe(0);
    expect(field(status.stdout, 'url')).toBe(url);
    expect(Number(field(status.stdout, 'pid'))).toBe(pid);

    // A second start does not start a second relay.
    const again = await runCli(['start', ...serveArgs()], environment);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already running');
    expect(Number(field(again.stdout, 'pid'))).toBe(pid);

    // A turn through the background relay, which logs it.
    const response = await fetch(`${url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'relay-model', input: 'hi', stream: false }),
    });
    expect(response.status).toBe(200);
    const logs = await runCli(['logs', '-n', '200'], environment);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`listening on ${url}`);

    // restart without options reuses the ones it was started with.
    const restart = await runCli(['restart'], environment);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toContain(`stopped (pid ${pid})`);
    const newPid = Number(field(restart.stdout, 'pid'));
    expect(newPid).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
    expect(await answers(field(restart.stdout, 'url'))).toBe(true);

    const stop = await runCli(['stop'], environment);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped (pid ${newPid})`);
    expect(isAlive(newPid)).toBe(false);
    expect(existsSync(pidFile())).toBe(false);
    const after = await runCli(['status'], environment);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('not running');
    const stopAgain = await runCli(['stop'], environment);
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stdout).toContain('not running');
  });

  it('starts one relay when two starts run at the same moment', async () => {
    freshState();
    const [first, second] = await Promise.all([
      runCli(['start', ...serveArgs()], environment),
      runCli(['start', ...serveArgs()], environment),
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(
      [first.stdout, second.stdout].filter((output) => output.includes('already running')),
      `${first.stdout}\n${second.stdout}`,
    ).toHaveLength(1);
    expect(field(first.stdout, 'pid')).toBe(field(second.stdout, 'pid'));
    expect(field(first.stdout, 'url')).toBe(field(second.stdout, 'url'));
    expect((await runCli(['stop'], environment)).code).toBe(0);
  });

  it('detects a stale PID file and starts anyway', async () => {
    freshState();
    // The id of a process that has exited.
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('exit', resolve));
    mkdirSync(join(stateHome, 'responses-relay'), { recursive: true });
    writeFileSync(
      pidFile(),
      JSON.stringify({
        pid: gone.pid,
        url: 'http://127.0.0.1:1',
        log: logFile(),
        args: [],
        stopAfterMs: 1000,
        startedAt: '',
      }),
    );
    const status = await runCli(['status'], environment);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain(`stale PID file (process ${gone.pid}`);
    expect(existsSync(pidFile())).toBe(false);

    writeFileSync(
      pidFile(),
      JSON.stringify({ pid: gone.pid, url: '', log: logFile(), args: [], stopAfterMs: 1000, startedAt: '' }),
    );
    const start = await runCli(['start', ...serveArgs()], environment);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('stale PID file');
    expect(await answers(field(start.stdout, 'url'))).toBe(true);
    expect((await runCli(['stop'], environment)).code).toBe(0);
  });

  it('exits 2 with the last lines of the log when the port is taken, and leaves no PID file', async () => {
    freshState();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const start = await runCli(
        ['start', '--upstream', upstream.baseUrl, '--store', 'memory', '--port', String(port)],
        environment,
      );
      expect(start.code).toBe(2);
      expect(start.stderr).toContain('could not be started');
      expect(start.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(existsSync(pidFile())).toBe(false);
      expect((await runCli(['status'], environment)).code).toBe(3);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('logs -f prints what is appended to the log', async () => {
    freshState();
    mkdirSync(join(stateHome, 'responses-relay'), { recursive: true });
    writeFileSync(logFile(), 'first line\n');
    const follower = spawn(process.execPath, [CLI_PATH, 'logs', '-f'], {
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let exited = false;
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    follower.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    follower.on('exit', () => (exited = true));
    // Bounded by the test's timeout; the follower only ends when killed.
    const seen = async (text: string) => {
      while (!output.includes(text)) {
        if (exited) throw new Error(`logs -f exited; output: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await seen('first line');
      appendFileSync(logFile(), 'appended later\n');
      await seen('appended later');
    } finally {
      follower.kill('SIGKILL');
    }
    const none = await runCli(['logs'], { XDG_STATE_HOME: join(root, 'never-started') });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('no log yet');
  });
});

describe('responses-relay service', () => {
  it('writes a systemd user unit that runs serve with the given options, and removes it', async () => {
    const xdg = mkdtempSync(join(root, 'config-'));
    const install = await runCli(
      ['service', 'install', '--manager', 'systemd', '--provider', 'deepseek', '--port', '4545'],
      { XDG_CONFIG_HOME: xdg },
    );
    expect(install.code, install.stderr).toBe(0);
    const unitPath = join(xdg, 'systemd', 'user', 'responses-relay.service');
    const unit = readFileSync(unitPath, 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} ${CLI_PATH} serve --provider deepseek --port 4545\n`);
    expect(unit).toContain(`EnvironmentFile=-${join(xdg, 'responses-relay', 'service.env')}\n`);
    expect(unit).toContain('WantedBy=default.target');
    expect(install.stdout).toContain('systemctl --user enable --now responses-relay');
    const uninstall = await runCli(['service', 'uninstall', '--manager', 'systemd'], { XDG_CONFIG_HOME: xdg });
    expect(uninstall.code).toBe(0);
    expect(existsSync(unitPath)).toBe(false);
  });

  it('writes a launchd agent for macOS that starts at login and logs to the state directory', async () => {
    const home = mkdtempSync(join(root, 'home-'));
    const install = await runCli(['service', 'install', '--manager', 'launchd', '--model-map', 'a:b&c'], {
      HOME: home,
      XDG_STATE_HOME: join(home, 'state'),
    });
    expect(install.code, install.stderr).toBe(0);
    const plistPath = join(home, 'Library', 'LaunchAgents', 'dev.responses-relay.plist');
    const plist = readFileSync(plistPath, 'utf8');
    expect(plist).toContain(
      `<array>\n    <string>${process.execPath}</string>\n    <string>${CLI_PATH}</string>\n    <string>serve</string>\n    <string>--model-map</string>\n    <string>a:b&amp;c</string>\n  </array>`,
    );
    expect(plist).toContain('<key>RunAtLoad</key>\n  <true/>');
    expect(plist).toContain(`<string>${join(home, 'state', 'responses-relay', 'relay.log')}</string>`);
    expect(install.stdout).toContain(`launchctl bootstrap gui/$(id -u) ${plistPath}`);
    expect((await runCli(['service', 'uninstall', '--manager', 'launchd'], { HOME: home })).code).toBe(0);
    expect(existsSync(plistPath)).toBe(false);
  });
});
