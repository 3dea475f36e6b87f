/**
 * The servers a test file starts — mock or scripted upstreams, relays, anything
 * else with `close()` — closed for it after each test (or after all of them),
 * newest first, so a relay closes before the upstream behind it.
 */
import { afterAll, afterEach } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { type MockScript, type MockUpstream, type MockUpstreamOptions, startMockUpstream } from './mock-upstream.js';
import { startTestRelay, type TestRelayOptions } from './relay.js';
import { type ChatScript, type ScriptedUpstream, startScriptedUpstream } from './scripted-upstream.js';

/** A server, client or connection that can be closed. */
export interface Closable {
  close(): unknown;
}

export interface TestServers {
  /** Starts a mock upstream (see startMockUpstream). */
  mockUpstream(script: MockScript, models?: unknown[], options?: MockUpstreamOptions): Promise<MockUpstream>;
  /** Starts the strict scripted upstream of the end-to-end suite (see startScriptedUpstream). */
  scriptedUpstream(
    script: ChatScript,
    options?: Parameters<typeof startScriptedUpstream>[1],
  ): Promise<ScriptedUpstream>;
  /** Starts the relay in this process in front of `upstreamBaseUrl` (see startTestRelay). */
  relay(upstreamBaseUrl: string, options?: TestRelayOptions): Promise<RunningRelay>;
  /** Closes `closable` with the servers; returns it. */
  track<T extends Closable>(closable: T): T;
  /** Closes everything started so far, newest first; every close is attempted, the first failure is thrown. */
  closeAll(): Promise<void>;
}

/**
 * Returns the starters of a test file. `closeAfter` says when everything is
 * closed: after each test (default), after all tests of the file, or only when
 * the file calls `closeAll()` itself (from a hook of its own).
 */
export function useTestServers(closeAfter: 'each' | 'all' | 'never' = 'each'): TestServers {
  const open: Closable[] = [];
  const track = <T extends Closable>(closable: T): T => {
    open.push(closable);
    return closable;
  };
  const closeAll = async (): Promise<void> => {
    const failures: unknown[] = [];
    for (const closable of open.splice(0).reverse()) {
      try {
        await closable.close();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  };
  if (closeAfter === 'each') afterEach(closeAll);
  if (closeAfter === 'all') afterAll(closeAll);
  return {
    mockUpstream: async (script, models, options) => track(await startMockUpstream(script, models, options)),
    scriptedUpstream: async (script, options) => track(await startScriptedUpstream(script, options)),
    relay: async (upstreamBaseUrl, options) => track(await startTestRelay(upstreamBaseUrl, options)),
    track,
    closeAll,
  };
}
