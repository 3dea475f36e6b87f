/**
 * Installs redis-server before the suite when it is missing and the tests run
 * as root with apt-get (CI); scripts/ensure-redis-server.sh does the work and
 * never fails, so suites that do not need Redis run either way.
 */
import { spawnSync } from 'node:child_process';

export default function ensureRedisServer(): void {
  spawnSync('bash', ['scripts/ensure-redis-server.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
}
