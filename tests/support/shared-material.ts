/**
 * Third-party material the tests read but the repository never copies: the
 * official OpenAI spec and recorded provider streams live in `../shared`
 * beside the clone (CI puts them there). Tests that need them say so by name
 * when they are missing instead of passing silently.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The shared directory beside the clone. */
export const SHARED_DIR = resolve(REPOSITORY_ROOT, '..', 'shared');

/** An absolute path inside the shared directory. */
export function sharedPath(...segments: string[]): string {
  return resolve(SHARED_DIR, ...segments);
}

/** The message a test skips with when a shared path is absent; undefined when it exists. */
export function missingSharedMessage(path: string): string | undefined {
  return existsSync(path) ? undefined : `missing ${path} (shared material expected beside the clone)`;
}
