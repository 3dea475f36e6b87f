import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Servers in tests listen on loopback ports; files run in parallel processes.
    pool: 'forks',
    // Fails a test when a response the relay emitted during it is not conformant.
    setupFiles: ['tests/support/conformance-setup.ts'],
    // Installs redis-server for the Redis store tests when missing (as root with apt-get).
    globalSetup: ['tests/support/redis-global-setup.ts'],
  },
});
