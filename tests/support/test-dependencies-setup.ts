/**
 * Installs the test-only packages into tests/node_modules before any test file
 * is loaded, when they are missing or their lock changed (a no-op otherwise),
 * so that `vitest run <file>` works straight after `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const INSTALLER = fileURLToPath(new URL('../../scripts/install-test-dependencies.mjs', import.meta.url));

export default function installTestDependencies(): void {
  const install = spawnSync(process.execPath, [INSTALLER], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (install.status !== 0)
    throw new Error('the test dependencies could not be installed into tests/node_modules (see above)');
}
