/**
 * The real Codex CLI, every pinned release (harness/codex/releases.json), through
 * the relay to a scripted Chat Completions upstream that checks requests the
 * way strict providers do. `npm run test:compat` turns the results into
 * docs/compatibility.md.
 */
import { describe, it } from 'vitest';
import { compareVersions, pinnedCodexVersions } from '../../harness/codex/versions.js';
import { WEBSOCKET_SUFFIX } from './compatibility-matrix.js';
import { runScenario } from './harness.js';
import { E2E_SCENARIOS } from './scenarios/index.js';

/** The oldest pinned release whose WebSocket transport works with the relay. */
const WEBSOCKET_CODEX_VERSION = '0.128.0';

/** Codex runs are mostly waiting on each other and on loopback I/O, so scenarios run side by side. */
const SCENARIO_TIMEOUT_MS = 45_000;

for (const codex of pinnedCodexVersions()) {
  describe(`Codex ${codex.version}`, () => {
    for (const scenario of E2E_SCENARIOS) {
      if (
        scenario.minimumCodexVersion !== undefined &&
        compareVersions(codex.version, scenario.minimumCodexVersion) < 0
      )
        continue;
      it.concurrent(scenario.title, () => runScenario(codex, scenario), SCENARIO_TIMEOUT_MS);
      if (scenario.websocket && compareVersions(codex.version, WEBSOCKET_CODEX_VERSION) >= 0) {
        it.concurrent(
          `${scenario.title}${WEBSOCKET_SUFFIX}`,
          () => runScenario(codex, scenario, 'websocket'),
          SCENARIO_TIMEOUT_MS,
        );
      }
    }
  });
}
