/** The Claude Code side of `print-config` and `setup` (`--client claude-code`). */
import type { ModelRouter } from '../routing/router.js';
import {
  type ClaudeCodeOptions,
  claudeCodeEnvironment,
  claudeCodeHome,
  renderClaudeCodeConfig,
  runClaudeCodeSetup,
  runClaudeCodeUndo,
} from './claude-code-setup.js';
import { reportUndo } from './codex-output.js';
import { listModelsOnce } from './list-models.js';

/** Prints the environment and the settings.json fragment. */
export async function printClaudeCodeConfig(
  options: ClaudeCodeOptions,
  router: ModelRouter,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const models = await listModelsOnce(router, namesAskedFor(options, router));
  stdout.write(renderClaudeCodeConfig(claudeCodeEnvironment(options, models)));
}

/** Writes the environment into settings.json, or takes it out again with --undo. */
export async function setUpClaudeCode(
  options: ClaudeCodeOptions & { undo?: boolean },
  buildRouter: () => ModelRouter,
  environment: NodeJS.ProcessEnv,
  stdout: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const home = claudeCodeHome(environment);
  if (options.undo) {
    reportUndo(runClaudeCodeUndo(home), stdout);
    return;
  }
  const router = buildRouter();
  const models = await listModelsOnce(router, namesAskedFor(options, router));
  const settings = claudeCodeEnvironment(options, models);
  const result = runClaudeCodeSetup(settings, home);
  const lines = result.changed
    ? [
        result.backupPath ? `backed up ${result.configPath} to ${result.backupPath}` : `created ${result.configPath}`,
        `set env ${Object.keys(settings).join(', ')} (base URL ${settings.ANTHROPIC_BASE_URL}, model ${settings.ANTHROPIC_MODEL})`,
      ]
    : [`${result.configPath} already has these settings; nothing changed`];
  lines.push(
    'next: start the relay (responses-relay), run claude',
    'undo with: responses-relay setup --client claude-code --undo',
  );
  stdout.write(`${lines.join('\n')}\n`);
}

/** Names asked for that no alias covers are looked up too, so they are described. */
function namesAskedFor(options: ClaudeCodeOptions, router: ModelRouter): string[] {
  return [options.model, options.smallModel].filter(
    (name): name is string => name !== undefined && !router.aliases.has(name),
  );
}
