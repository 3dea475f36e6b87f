/**
 * The Codex CLI releases this project is proven against. Each is pinned in
 * `releases.json` beside this file (version, and the integrity of the wrapper
 * package and of every platform package the registry holds); everything else
 * discovers the list from here. The releases are not npm dependencies: the
 * test set-up installs them on demand into the user's cache
 * (harness/pinned-cli-cache.ts), and `npm run codex:add -- <version>`
 * adds one.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCacheRoot, installPinnedCli, type PinnedCli, pinnedCliPrefix } from '../pinned-cli-cache.js';

/** The repository root, found from this file whether it runs as source or compiled. */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'responses-relay'
    )
      return directory;
    if (dirname(directory) === directory) throw new Error(`no responses-relay package.json above ${start}`);
  }
}

/** The lock of the pinned releases, kept in the source tree (not compiled). */
export const RELEASES_FILE = join(PROJECT_ROOT, 'harness', 'codex', 'releases.json');

const CODEX_PACKAGE = '@openai/codex';

/** One pinned release: the integrity of the wrapper and of each platform's binary package (`linux-x64`, …). */
export interface CodexReleaseLock {
  wrapper: string;
  platforms: Record<string, string>;
}

export interface PinnedCodex {
  /** The release, e.g. `0.169.0`. */
  version: string;
  /** The JavaScript launcher that starts the native binary (present once installed). */
  entry: string;
  /** What the cache installs for this machine; undefined when the registry has no binary for it. */
  install: PinnedCli | undefined;
}

/** `linux-x64`, `darwin-arm64`, …: the suffix of Codex's platform packages. */
export function codexPlatform(): string {
  return `${process.platform}-${process.arch}`;
}

export function readReleaseLocks(file: string = RELEASES_FILE): Record<string, CodexReleaseLock> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, CodexReleaseLock>;
}

export function writeReleaseLocks(locks: Record<string, CodexReleaseLock>, file: string = RELEASES_FILE): void {
  const sorted = Object.fromEntries(Object.entries(locks).sort(([a], [b]) => compareVersions(a, b)));
  writeFileSync(file, `${JSON.stringify(sorted, null, 2)}\n`);
}

/** The packages one release needs on this machine: the wrapper and the platform binary it resolves. */
export function codexInstall(
  version: string,
  lock: CodexReleaseLock,
  platform: string = codexPlatform(),
): PinnedCli | undefined {
  const binary = lock.platforms[platform];
  if (!binary) return undefined;
  return {
    tool: 'codex',
    version,
    packages: [
      { installAs: CODEX_PACKAGE, spec: `${CODEX_PACKAGE}@${version}`, integrity: lock.wrapper },
      { installAs: `${CODEX_PACKAGE}-${platform}`, spec: `${CODEX_PACKAGE}@${version}-${platform}`, integrity: binary },
    ],
  };
}

/** The pinned releases, oldest first. */
export function pinnedCodexVersions(file: string = RELEASES_FILE, cacheRoot: string = cliCacheRoot()): PinnedCodex[] {
  return Object.entries(readReleaseLocks(file))
    .map(([version, lock]) => {
      const install = codexInstall(version, lock);
      const prefix = pinnedCliPrefix({ tool: 'codex', version, packages: [] }, cacheRoot);
      return { version, install, entry: join(prefix, 'node_modules', CODEX_PACKAGE, 'bin', 'codex.js') };
    })
    .sort((a, b) => compareVersions(a.version, b.version));
}

/** Why a pinned release cannot run here, or undefined when it is installed. */
export function codexMissingReason(codex: PinnedCodex): string | undefined {
  if (!codex.install) return `Codex ${codex.version} has no binary package for ${codexPlatform()} on npm`;
  if (!existsSync(codex.entry))
    return `Codex ${codex.version} is not installed (${codex.entry} is missing); the test set-up installs it, or run: npm run codex:install`;
  return undefined;
}

/** Installs a pinned release into the cache unless it is there already. */
export async function installPinnedCodex(codex: PinnedCodex): Promise<void> {
  const missing = codexMissingReason(codex);
  if (!codex.install) throw new Error(missing);
  if (missing) await installPinnedCli(codex.install);
}

/** Finds one pinned release by its version (`0.169.0`). */
export function findPinnedCodex(wanted: string, file: string = RELEASES_FILE): PinnedCodex {
  const pinned = pinnedCodexVersions(file);
  const found = pinned.find((codex) => codex.version === wanted);
  if (!found) {
    const known = pinned.map((codex) => codex.version).join(', ') || 'none';
    throw new Error(`Codex ${wanted} is not pinned (pinned: ${known}); add it with: npm run codex:add -- ${wanted}`);
  }
  return found;
}

/** Numeric comparison of dotted versions. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
