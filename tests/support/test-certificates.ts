/**
 * A private certificate authority and a server certificate it signed for
 * 127.0.0.1 and localhost, made with openssl in a temporary directory (as a
 * company CA would be), for HTTPS upstreams in tests. Where the openssl
 * command is missing and the tests run as root (CI), it is installed with
 * apt-get.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  directory: string;
  /** PEM file of the CA certificate (what --upstream-ca takes). */
  caFile: string;
  /** The server's key and certificate (PEM text). */
  key: string;
  cert: string;
  remove(): void;
}

/** Generates the CA and the server certificate. */
export function createTestCertificates(): TestCertificates {
  ensureOpenssl();
  const directory = mkdtempSync(join(tmpdir(), 'relay-ca-'));
  const file = (name: string) => join(directory, name);
  const openssl = (...args: string[]) =>
    execFileSync('openssl', args, { cwd: directory, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=Relay Test Office CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  );
  writeFileSync(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  return {
    directory,
    caFile: file('ca.pem'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8'),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Installs the openssl command when it is missing and the tests may (root with apt-get); throws saying what to do otherwise. */
function ensureOpenssl(): void {
  if (hasOpenssl()) return;
  const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canInstall)
    throw new Error('the certificate tests need the openssl command: install it (e.g. apt-get install openssl)');
  const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Test files run in parallel: another one may hold apt's lock, so try a bounded number of times.
  for (let attempt = 0; attempt < 30 && !hasOpenssl(); attempt++) {
    if (attempt === 0) spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env: environment });
    spawnSync('apt-get', ['install', '-y', '-qq', 'openssl'], { stdio: 'ignore', env: environment });
    if (!hasOpenssl()) spawnSync('sleep', ['2']);
  }
  if (!hasOpenssl())
    throw new Error('installing openssl with apt-get failed; the certificate tests need the openssl command');
}
