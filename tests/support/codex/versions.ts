/**
 * The Codex CLI releases this project is proven against. Each is an npm alias
 * in package.json (`"codex-0169": "npm:@openai/codex@0.169.0"`), so adding a
 * release is one line there; everything else discovers it from this list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file whether it runs as source or compiled. */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'responses-relay') return directory;
    if (dirname(directory) === directory) throw new Error(`no responses-relay package.json above ${start}`);
  }
}

export interface PinnedCodex {
  /** The npm alias, e.g. `codex-0169`. */
  alias: string;
  /** The release, e.g. `0.169.0`. */
  version: string;
  /** The JavaScript launcher that starts the native binary. */
  entry: string;
}

const CODEX_SPEC = /^npm:@openai\/codex@(\d+\.\d+\.\d+)$/;

/** Reads the pinned Codex releases from package.json, oldest first. */
export function pinnedCodexVersions(root: string = PROJECT_ROOT): PinnedCodex[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const pinned: PinnedCodex[] = [];
  for (const [alias, spec] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    const match = CODEX_SPEC.exec(spec);
    if (!match) continue;
    pinned.push({ alias, version: match[1]!, entry: join(root, 'node_modules', alias, 'bin', 'codex.js') });
  }
  return pinned.sort((a, b) => compareVersions(a.version, b.version));
}

/** Finds one pinned release by its version (`0.169.0`) or alias (`codex-0169`). */
export function findPinnedCodex(wanted: string, root: string = PROJECT_ROOT): PinnedCodex {
  const pinned = pinnedCodexVersions(root);
  const found = pinned.find((codex) => codex.version === wanted || codex.alias === wanted);
  if (!found) {
    const known = pinned.map((codex) => codex.version).join(', ') || 'none';
    throw new Error(`Codex ${wanted} is not pinned in package.json (pinned: ${known}); add "codex-NNNN": "npm:@openai/codex@${wanted}" to devDependencies`);
  }
  if (!existsSync(found.entry)) throw new Error(`Codex ${found.version} is pinned but not installed (${found.entry} is missing); run npm install`);
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
