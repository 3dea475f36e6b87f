/**
 * Installs every pinned Codex release that is not in the cache yet, one after
 * the other (each is a download of 60–150 MB). A release that cannot be
 * installed does not stop the others: it is reported, and the tests that
 * need it fail with the reason.
 */
import { codexMissingReason, installPinnedCodex, pinnedCodexVersions } from './versions.js';

export interface CodexInstallReport {
  installed: string[];
  failed: Array<{ version: string; reason: string }>;
}

export async function installPinnedCodexReleases(log: (line: string) => void): Promise<CodexInstallReport> {
  const report: CodexInstallReport = { installed: [], failed: [] };
  for (const codex of pinnedCodexVersions()) {
    if (codexMissingReason(codex) === undefined) continue;
    const started = Date.now();
    log(`installing Codex ${codex.version} into ${codex.entry.replace(/\/node_modules\/.*$/, '')}`);
    try {
      await installPinnedCodex(codex);
      report.installed.push(codex.version);
      log(`installed Codex ${codex.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      report.failed.push({ version: codex.version, reason });
      log(`could not install Codex ${codex.version}: ${reason}`);
    }
  }
  return report;
}
