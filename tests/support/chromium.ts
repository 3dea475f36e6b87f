/**
 * The system's Chromium for browser tests (Debian's `chromium` package). When
 * it is missing and the tests run as root (as in CI), it is installed with
 * apt-get; otherwise the test fails saying how to install it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
/** apt-get update and install together stay well under this. */
const INSTALL_TIMEOUT_MS = 10 * 60 * 1000;

function findChromium(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path));
}

/** The path of the Chromium executable, installing the package first when needed and allowed. */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  const root = process.getuid?.() === 0;
  const aptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
  if (!root || !aptGet) {
    throw new Error(
      'Chromium is missing and cannot be installed here (needs root and apt-get): run `apt-get install -y chromium` as root',
    );
  }
  const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env: environment, timeout: INSTALL_TIMEOUT_MS });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], {
    stdio: 'ignore',
    env: environment,
    timeout: INSTALL_TIMEOUT_MS,
  });
  const installed = findChromium();
  if (!installed) throw new Error('apt-get installed chromium, but no chromium executable was found in /usr/bin');
  return installed;
}
