/** What `print-config`, `setup` and `setup --undo` print. */
import { renderCodexFragment } from '../codex/codex-config.js';
import type { PreparedCodexSettings } from './codex-settings.js';
import type { SetupResult, UndoResult } from './setup-command.js';

/** The fragment on stdout; where the catalog went and any notes on stderr. */
export function printCodexConfig(
  prepared: PreparedCodexSettings,
  stdout: NodeJS.WritableStream = process.stdout,
  stderr: NodeJS.WritableStream = process.stderr,
): void {
  stdout.write(renderCodexFragment(prepared.settings));
  stderr.write(
    `responses-relay: wrote the Codex model catalog (${prepared.catalog.models.length} models) to ${prepared.settings.catalogPath}\n`,
  );
  for (const note of prepared.notes) stderr.write(`responses-relay: note: ${note}\n`);
}

/** A summary of what setup did. */
export function reportSetup(
  result: SetupResult,
  prepared: PreparedCodexSettings,
  stdout: NodeJS.WritableStream = process.stdout,
): void {
  const { settings } = prepared;
  const lines = result.changed
    ? [
        ...(result.backupPath
          ? [`backed up ${result.configPath} to ${result.backupPath}`]
          : [`created ${result.configPath}`]),
        `set model = "${settings.model}", model_provider = "responses-relay", model_catalog_json and [model_providers.responses-relay] (base_url ${settings.baseUrl})`,
      ]
    : [`${result.configPath} already has these settings; nothing changed`];
  lines.push(
    `wrote the Codex model catalog (${prepared.catalog.models.length} models) to ${settings.catalogPath}`,
    ...prepared.notes.map((note) => `note: ${note}`),
    `next: start the relay (responses-relay), export ${settings.envKey}=local (or the relay's key), run codex`,
    'undo with: responses-relay setup --undo',
  );
  stdout.write(`${lines.join('\n')}\n`);
}

/** A summary of what undo did. */
export function reportUndo(result: UndoResult, stdout: NodeJS.WritableStream = process.stdout): void {
  const kept = result.backupPath ? ` (the edited file is kept as ${result.backupPath})` : '';
  switch (result.outcome) {
    case 'nothing-to-undo':
      stdout.write(`nothing to undo: responses-relay setup has not changed ${result.configPath}\n`);
      return;
    case 'restored-backup':
      stdout.write(`restored ${result.configPath} from the backup made before setup\n`);
      return;
    case 'removed-file':
      stdout.write(`removed ${result.configPath}, which setup had created\n`);
      return;
    case 'removed-settings':
      stdout.write(`took the relay's settings out of ${result.configPath} and put back what they replaced${kept}\n`);
      return;
    default: {
      const exhaustive: never = result.outcome;
      stdout.write(`${String(exhaustive)}\n`);
    }
  }
}
