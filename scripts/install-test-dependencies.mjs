/**
 * Installs the packages only the tests use (tests/package.json: the OpenAI,
 * Anthropic and MCP SDKs, the browser driver, the schema validator, ...) into
 * tests/node_modules, so that `npm ci` at the root installs the relay and its
 * build tools and nothing more. Node, tsc and vitest resolve the imports of
 * files under tests/ from there.
 *
 * `npm ci` runs in tests/ only when tests/package.json or its lock changed
 * since the last install (their hash is stamped into tests/node_modules);
 * afterwards this is two file reads. Plain JavaScript: it runs before the
 * typecheck and the build, with nothing compiled yet.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const testsDirectory = fileURLToPath(new URL('../tests/', import.meta.url));
const stampFile = join(testsDirectory, 'node_modules', '.installed-from');

const hash = createHash('sha256');
for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(join(testsDirectory, file)));
const wanted = hash.digest('hex');

if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== wanted) {
  process.stderr.write('Installing the test dependencies (tests/package.json) into tests/node_modules\n');
  // stdout goes to stderr as well: callers may read this process's stdout.
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: testsDirectory, stdio: ['ignore', 2, 2] });
  if (install.status !== 0) {
    process.stderr.write(
      `npm ci in tests/ failed (${install.error?.message ?? `exit ${install.status ?? install.signal}`}); the tests cannot run without their dependencies\n`,
    );
    process.exit(1);
  }
  writeFileSync(stampFile, wanted);
}
