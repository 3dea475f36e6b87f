/**
 * Installs a command-line tool the tests drive (a Codex CLI release, say) into
 * a cache outside node_modules, on demand, pinned by exact version and
 * integrity: `npm ci` then never downloads it, and a release is fetched once
 * and reused by every later run (and every clone on the machine).
 *
 * Each pinned package is fetched with `npm pack` (so npm's registry, proxy and
 * cache settings apply), its tarball is checked against the pinned sha512 and
 * unpacked into `<cache>/<tool>/<version>/node_modules/<name>`. Nothing is
 * resolved: every package the tool needs is pinned, and a package that
 * declares dependencies of its own is refused rather than half installed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PinnedPackage {
  /** The folder under node_modules, e.g. `@openai/codex-linux-x64`. */
  installAs: string;
  /** What npm fetches, e.g. `@openai/codex@0.171.0-linux-x64`. */
  spec: string;
  /** The tarball's integrity as the registry lists it (`sha512-…`). */
  integrity: string;
}

export interface PinnedCli {
  /** The cache folder of the tool, e.g. `codex`. */
  tool: string;
  version: string;
  packages: PinnedPackage[];
}

/** Says which release could not be installed, and why. */
export class PinnedCliInstallError extends Error {}

/** `$RELAY_CLI_CACHE`, else `$XDG_CACHE_HOME/responses-relay`, else `~/.cache/responses-relay`. */
export function cliCacheRoot(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.RELAY_CLI_CACHE) return environment.RELAY_CLI_CACHE;
  return join(environment.XDG_CACHE_HOME || join(homedir(), '.cache'), 'responses-relay');
}

/** Where the release is (or would be) installed. */
export function pinnedCliPrefix(cli: PinnedCli, root: string = cliCacheRoot()): string {
  return join(root, cli.tool, cli.version);
}

const MARKER = 'pinned.json';

/** True when the release is installed with exactly these packages. */
export function isPinnedCliInstalled(cli: PinnedCli, root: string = cliCacheRoot()): boolean {
  try {
    return readFileSync(join(pinnedCliPrefix(cli, root), MARKER), 'utf8') === markerText(cli);
  } catch {
    return false;
  }
}

/** Installs the release unless it is already there; resolves to its prefix (which holds node_modules). */
export async function installPinnedCli(cli: PinnedCli, root: string = cliCacheRoot()): Promise<string> {
  const prefix = pinnedCliPrefix(cli, root);
  if (isPinnedCliInstalled(cli, root)) return prefix;
  const parent = join(root, cli.tool);
  mkdirSync(parent, { recursive: true });
  // Built beside its final place and renamed in one step, so a concurrent run never sees half of it.
  const staging = mkdtempSync(join(parent, `.${cli.version}-`));
  try {
    const tarballs = join(staging, '.tarballs');
    mkdirSync(tarballs);
    for (const pinned of cli.packages)
      await unpackVerified(cli, pinned, tarballs, join(staging, 'node_modules', pinned.installAs));
    rmSync(tarballs, { recursive: true, force: true });
    writeFileSync(join(staging, MARKER), markerText(cli));
    if (existsSync(prefix) && !isPinnedCliInstalled(cli, root)) rmSync(prefix, { recursive: true, force: true });
    try {
      renameSync(staging, prefix);
    } catch (error) {
      // Another run finished the same install first.
      if (!isPinnedCliInstalled(cli, root)) throw error;
    }
    return prefix;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function unpackVerified(
  cli: PinnedCli,
  pinned: PinnedPackage,
  tarballs: string,
  destination: string,
): Promise<void> {
  const fail = (why: string) =>
    new PinnedCliInstallError(`cannot install ${cli.tool} ${cli.version}: ${pinned.spec} ${why}`);
  let packed: Array<{ filename: string }>;
  try {
    const { stdout } = await run('npm', ['pack', pinned.spec, '--pack-destination', tarballs, '--json', '--silent'], {
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    packed = JSON.parse(stdout) as Array<{ filename: string }>;
  } catch (error) {
    const detail =
      (error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') || (error as Error).message;
    throw fail(`could not be fetched with npm pack (${detail})`);
  }
  const filename = packed[0]?.filename;
  if (!filename) throw fail(': npm pack named no tarball');
  const tarball = join(tarballs, filename.replace(/^@/, '').replace(/\//g, '-'));
  const file = existsSync(tarball) ? tarball : join(tarballs, filename);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  if (integrity !== pinned.integrity) throw fail(`has integrity ${integrity}, but ${pinned.integrity} is pinned`);
  mkdirSync(destination, { recursive: true });
  try {
    await run('tar', ['-xzf', file, '-C', destination, '--strip-components=1']);
  } catch (error) {
    throw fail(`could not be unpacked (${(error as Error).message})`);
  }
  rmSync(file);
  const manifest = JSON.parse(readFileSync(join(destination, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const dependencies = Object.keys(manifest.dependencies ?? {});
  if (dependencies.length > 0) throw fail(`depends on ${dependencies.join(', ')}; pin those packages too`);
}

function markerText(cli: PinnedCli): string {
  return `${JSON.stringify({ tool: cli.tool, version: cli.version, packages: cli.packages }, null, 2)}\n`;
}
