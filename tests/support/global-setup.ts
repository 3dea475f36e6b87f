/**
 * Runs once before the test files: installs the pinned command-line clients
 * the end-to-end tests drive into the cache (a no-op once they are there).
 * A client that cannot be installed is reported here and fails the tests that
 * need it, with the reason; the other tests run as usual.
 */
import { installPinnedCodexReleases } from '../../harness/codex/install-releases.js';

export default async function setup(): Promise<void> {
  await installPinnedCodexReleases((line) => process.stderr.write(`test set-up: ${line}\n`));
}
