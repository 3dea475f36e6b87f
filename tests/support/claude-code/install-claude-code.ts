/**
 * The real Claude Code CLI for end-to-end tests. It is not a dependency of
 * the project: a pinned release is installed once into a cache outside
 * node_modules (`~/.cache/responses-relay/claude-code/<version>`, or under
 * RELAY_TEST_CACHE) with `npm install --prefix`, and the tarball npm fetched
 * is checked against the pinned integrity before the binary is used.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CLAUDE_CODE_VERSION = '2.1.332';
/** npm's integrity of @anthropic-ai/claude-code@2.1.332 (`npm view @anthropic-ai/claude-code@2.1.332 dist.integrity`). */
export const CLAUDE_CODE_INTEGRITY =
  'sha512-tvSh6bLvEbd97APD31AnojOrRC3AmcRj5R8sF8QIQitu3x2ucOb1kKmTkGDw41kjva+CGJfpkt+wYouk6yv56Q==';

const PACKAGE = '@anthropic-ai/claude-code';

/** Where the pinned release lives. */
export function claudeCodeDirectory(): string {
  const cache = process.env.RELAY_TEST_CACHE ?? join(homedir(), '.cache', 'responses-relay');
  return join(cache, 'claude-code', CLAUDE_CODE_VERSION);
}

/** The native binary's package for this machine (npm installs only the one that matches). */
function platformPackage(): string {
  const musl =
    process.platform === 'linux' &&
    !(process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header
      ?.glibcVersionRuntime;
  return `${PACKAGE}-${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
}

/** Installs the pinned release if it is not in the cache yet; returns the path of the `claude` binary. */
export function ensureClaudeCode(): string {
  const directory = claudeCodeDirectory();
  const binary = join(
    directory,
    'node_modules',
    ...platformPackage().split('/'),
    process.platform === 'win32' ? 'claude.exe' : 'claude',
  );
  if (!existsSync(binary) || installedIntegrity(directory) !== CLAUDE_CODE_INTEGRITY) {
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ name: 'claude-code-for-tests', private: true }));
    // --ignore-scripts: the postinstall only copies the binary we run directly.
    execFileSync(
      'npm',
      [
        'install',
        '--prefix',
        directory,
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--save-exact',
        `${PACKAGE}@${CLAUDE_CODE_VERSION}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10 * 60_000,
      },
    );
  }
  const integrity = installedIntegrity(directory);
  if (integrity !== CLAUDE_CODE_INTEGRITY)
    throw new Error(
      `${PACKAGE}@${CLAUDE_CODE_VERSION} in ${directory} has integrity ${integrity ?? '(none)'}, expected ${CLAUDE_CODE_INTEGRITY}`,
    );
  if (!existsSync(binary))
    throw new Error(
      `${PACKAGE}@${CLAUDE_CODE_VERSION} installed without ${binary} (no native build for ${process.platform}-${process.arch}?)`,
    );
  return binary;
}

/** The integrity npm recorded for the installed package, from the prefix's lockfile. */
function installedIntegrity(directory: string): string | undefined {
  const lockfile = join(directory, 'package-lock.json');
  if (!existsSync(lockfile)) return undefined;
  const lock = JSON.parse(readFileSync(lockfile, 'utf8')) as {
    packages?: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages?.[`node_modules/${PACKAGE}`];
  return entry?.version === CLAUDE_CODE_VERSION ? entry.integrity : undefined;
}
