import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers in tests listen on loopback ports; files run in parallel processes.
    pool: 'forks',
    // Installs the test-only packages into tests/node_modules when their lock changed,
    // the pinned Codex releases into the cache once (they are not npm dependencies),
    // and redis-server for the Redis store tests when missing (as root with apt-get).
    globalSetup: [
      'tests/support/test-dependencies-setup.ts',
      'tests/support/global-setup.ts',
      'tests/support/redis-global-setup.ts',
    ],
    // Fails a test when a response the relay emitted during it is not conformant.
    setupFiles: ['tests/support/conformance-setup.ts'],
  },
});
