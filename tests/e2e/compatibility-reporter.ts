/**
 * A vitest reporter for `npm run test:compat`: after the end-to-end run it
 * writes docs/compatibility.md from the results, failures included.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';
import {
  type CellState,
  renderCompatibilityMatrix,
  type ScenarioResult,
  splitTransport,
} from './compatibility-matrix.js';

const SUITE_NAME = /^Codex (\d+\.\d+\.\d+)$/;

/** Collects the Codex suites' results and writes the matrix when the run ends. */
export default class CompatibilityReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const results: ScenarioResult[] = [];
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const match = test.parent.type === 'suite' ? SUITE_NAME.exec(test.parent.name) : null;
        if (!match) continue;
        const state = test.result().state;
        const cell: CellState = state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'not run';
        results.push({ version: match[1]!, ...splitTransport(test.name), state: cell });
      }
    }
    if (results.length === 0) {
      process.stderr.write('compatibility: no Codex end-to-end results; docs/compatibility.md left unchanged\n');
      return;
    }
    const markdown = renderCompatibilityMatrix(results, {
      date: new Date().toISOString().slice(0, 10),
      environment: `Node ${process.version}, ${process.platform} ${process.arch}`,
    });
    const path = join(PROJECT_ROOT, 'docs', 'compatibility.md');
    writeFileSync(path, markdown);
    process.stdout.write(`compatibility: wrote ${path}\n`);
  }
}
