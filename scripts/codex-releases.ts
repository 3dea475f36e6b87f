/**
 * The pinned Codex CLI releases (harness/codex/releases.json).
 *
 *   npm run codex:install              install every pinned release into the cache
 *   npm run codex:add -- 0.172.0       pin a release, install it, capture its
 *                                      fixtures, write its replay snapshots and
 *                                      run the end-to-end suite (which rewrites
 *                                      docs/compatibility.md)
 *
 * Pinning asks the registry once for the integrity of the wrapper package and
 * of every platform package it names (`npm view`); platforms the registry
 * does not hold are left out of the lock.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { installPinnedCodexReleases } from '../harness/codex/install-releases.js';
import {
  type CodexReleaseLock,
  findPinnedCodex,
  installPinnedCodex,
  PROJECT_ROOT,
  readReleaseLocks,
  writeReleaseLocks,
} from '../harness/codex/versions.js';

const PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

/** The integrities of one release as the registry lists them. */
function lockFromRegistry(version: string): CodexReleaseLock {
  const wanted = [`@openai/codex@${version}`, ...PLATFORMS.map((platform) => `${version}-${platform}`)].join(' || ');
  const output = execFileSync('npm', ['view', wanted, 'version', 'dist.integrity', '--json'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  const parsed = JSON.parse(output || '[]') as
    | Array<{ version: string; 'dist.integrity': string }>
    | { version: string; 'dist.integrity': string };
  const rows = Array.isArray(parsed) ? parsed : [parsed];
  const lock: CodexReleaseLock = { wrapper: '', platforms: {} };
  for (const row of rows) {
    if (row.version === version) lock.wrapper = row['dist.integrity'];
    else if (row.version.startsWith(`${version}-`))
      lock.platforms[row.version.slice(version.length + 1)] = row['dist.integrity'];
  }
  if (!lock.wrapper) throw new Error(`@openai/codex@${version} is not on the registry`);
  lock.platforms = Object.fromEntries(Object.entries(lock.platforms).sort(([a], [b]) => a.localeCompare(b)));
  return lock;
}

/** Runs an npm script in the project and stops on failure. */
function npmRun(args: string[]): void {
  process.stdout.write(`\n$ npm ${args.join(' ')}\n`);
  const result = spawnSync('npm', args, { cwd: PROJECT_ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

async function add(version: string): Promise<void> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`'${version}' is not a release number like 0.172.0`);
  const locks = readReleaseLocks();
  locks[version] = lockFromRegistry(version);
  writeReleaseLocks(locks);
  process.stdout.write(`pinned Codex ${version} (${Object.keys(locks[version]!.platforms).join(', ')})\n`);
  await installPinnedCodex(findPinnedCodex(version));
  npmRun(['run', 'capture:codex', '--', '--codex-version', version]);
  // New file snapshots are written on the first run; existing ones must still match.
  npmRun(['exec', '--', 'vitest', 'run', 'tests/replay']);
  npmRun(['run', 'test:compat']);
  process.stdout.write(
    `\nCodex ${version} added: review fixtures/codex/${version}/, tests/replay/__snapshots__/${version}/ and docs/compatibility.md, then commit them with harness/codex/releases.json\n`,
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, version] = argv;
  if (command === 'install') {
    const report = await installPinnedCodexReleases((line) => process.stdout.write(`${line}\n`));
    return report.failed.length === 0 ? 0 : 1;
  }
  if (command === 'add' && version) {
    await add(version);
    return 0;
  }
  process.stderr.write('usage: npm run codex:install | npm run codex:add -- <version>\n');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`codex: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
