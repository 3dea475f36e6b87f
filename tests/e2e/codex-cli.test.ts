/**
 * The real Codex CLI, every pinned release (read from package.json), through
 * the relay to a scripted Chat Completions upstream that checks requests the
 * way strict providers do. `npm run test:compat` turns the results into
 * docs/compatibility.md.
 *
 * `RELAY_E2E_EXTRA_CODEX=/path/to/@openai/codex/bin/codex.js` adds one more
 * release, installed anywhere, to the run (to try a release before pinning it).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'vitest';
import { compareVersions, pinnedCodexVersions, type PinnedCodex } from '../support/codex/versions.js';
import { WEBSOCKET_SUFFIX } from './compatibility-matrix.js';
import { runScenario } from './harness.js';
import { E2E_SCENARIOS } from './scenarios/index.js';

/** The oldest pinned release whose WebSocket transport works with the relay. */
const WEBSOCKET_CODEX_VERSION = '0.128.0';

/** Codex runs are mostly waiting on each other and on loopback I/O, so scenarios run side by side. */
const SCENARIO_TIMEOUT_MS = 45_000;

for (const codex of [...pinnedCodexVersions(), ...extraCodex()]) {
  describe(`Codex ${codex.version}`, () => {
    for (const scenario of E2E_SCENARIOS) {
      if (scenario.minimumCodexVersion !== undefined && compareVersions(codex.version, scenario.minimumCodexVersion) < 0) continue;
      it.concurrent(scenario.title, () => runScenario(codex, scenario), SCENARIO_TIMEOUT_MS);
      if (scenario.websocket && compareVersions(codex.version, WEBSOCKET_CODEX_VERSION) >= 0) {
        it.concurrent(`${scenario.title}${WEBSOCKET_SUFFIX}`, () => runScenario(codex, scenario, 'websocket'), SCENARIO_TIMEOUT_MS);
      }
    }
  });
}

/** The release named by RELAY_E2E_EXTRA_CODEX, its version read from the package beside the launcher. */
function extraCodex(): PinnedCodex[] {
  const entry = process.env.RELAY_E2E_EXTRA_CODEX;
  if (!entry) return [];
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return [{ alias: `extra-${manifest.version}`, version: manifest.version, entry }];
}
