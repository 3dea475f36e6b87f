#!/usr/bin/env bash
# Makes sure `redis-server` (needed by the Redis store tests) is installed.
# As root with apt-get (CI, containers) it installs the Debian package when
# missing; otherwise it only says how to install it. Never fails the caller:
# the Redis tests themselves fail with the same advice when it is absent.
set -u
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || [ -x /usr/sbin/redis-server ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  echo "installing redis-server (needed by the Redis store tests)" >&2
  apt-get install -y -q redis-server >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q redis-server >/dev/null 2>&1; } ||
    echo "could not install redis-server with apt-get; the Redis store tests will fail" >&2
else
  echo "redis-server is missing; install it (Debian/Ubuntu: sudo apt-get install redis-server) or the Redis store tests fail" >&2
fi
exit 0
