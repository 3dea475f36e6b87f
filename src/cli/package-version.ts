/**
 * The relay's version, from its package.json. Read relative to this file,
 * which sits in dist/cli whether or not the build bundled it.
 */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
