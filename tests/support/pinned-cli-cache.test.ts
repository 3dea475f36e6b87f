/**
 * The on-demand installer with local package folders (npm packs them like a
 * registry package, without the network): integrity checked, reused once
 * installed, clear errors.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  installPinnedCli,
  isPinnedCliInstalled,
  type PinnedCli,
  PinnedCliInstallError,
} from '../../harness/pinned-cli-cache.js';

const root = mkdtempSync(join(tmpdir(), 'relay-pinned-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function packageFolder(name: string, manifest: Record<string, unknown>): string {
  const folder = join(root, 'sources', name);
  mkdirSync(join(folder, 'bin'), { recursive: true });
  writeFileSync(
    join(folder, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', bin: { [name]: 'bin/cli.js' }, ...manifest }),
  );
  writeFileSync(join(folder, 'bin', 'cli.js'), `console.log('${name}');\n`);
  return folder;
}

function cli(spec: string, integrity: string): PinnedCli {
  return { tool: 'fake', version: '1.0.0', packages: [{ installAs: 'fake-cli', spec, integrity }] };
}

/** The integrity npm gives the folder's tarball, read from the refusal of a wrong one. */
async function integrityOf(spec: string, cache: string): Promise<string> {
  const error = await installPinnedCli(cli(spec, 'sha512-wrong'), cache).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(PinnedCliInstallError);
  const match = /has integrity (sha512-\S+), but sha512-wrong is pinned/.exec((error as Error).message);
  expect(match, (error as Error).message).not.toBeNull();
  return match![1]!;
}

describe('installPinnedCli', () => {
  it('refuses a tarball whose integrity differs, installs the pinned one, and reuses it without fetching again', async () => {
    const cache = join(root, 'cache-1');
    const source = packageFolder('fake-cli', {});
    const integrity = await integrityOf(source, cache);
    expect(isPinnedCliInstalled(cli(source, integrity), cache)).toBe(false);
    expect(existsSync(join(cache, 'fake', '1.0.0'))).toBe(false);

    const prefix = await installPinnedCli(cli(source, integrity), cache);
    expect(prefix).toBe(join(cache, 'fake', '1.0.0'));
    expect(readFileSync(join(prefix, 'node_modules', 'fake-cli', 'bin', 'cli.js'), 'utf8')).toContain(
      "console.log('fake-cli')",
    );
    expect(isPinnedCliInstalled(cli(source, integrity), cache)).toBe(true);

    // The source is gone: a second install must come from the cache.
    rmSync(source, { recursive: true });
    expect(await installPinnedCli(cli(source, integrity), cache)).toBe(prefix);
    // A different pin is not the installed release.
    expect(isPinnedCliInstalled(cli(source, 'sha512-other'), cache)).toBe(false);
  });

  it('refuses a package with dependencies of its own, and says when a package cannot be fetched', async () => {
    const cache = join(root, 'cache-2');
    const source = packageFolder('needy-cli', { dependencies: { 'left-pad': '1.3.0' } });
    const integrity = await integrityOf(source, cache);
    await expect(installPinnedCli(cli(source, integrity), cache)).rejects.toThrow(
      'depends on left-pad; pin those packages too',
    );
    await expect(installPinnedCli(cli(join(root, 'no-such-folder'), integrity), cache)).rejects.toThrow(
      /cannot install fake 1\.0\.0: .*no-such-folder could not be fetched with npm pack/,
    );
    expect(existsSync(join(cache, 'fake', '1.0.0'))).toBe(false);
  });
});
