#!/usr/bin/env node
/**
 * The `responses-relay` executable. `--version` is answered here from
 * package.json and a bare `status` straight from the PID file, without
 * loading the command line (installers, scripts and prompts call them
 * often); everything else is the command line in main.js, whose commands
 * load what they run only when they run.
 */
import { packageVersion } from './package-version.js';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  process.stdout.write(`${packageVersion()}\n`);
} else if (args.length === 1 && args[0] === 'status') {
  const { runBackgroundCommand } = await import('./background/background-cli.js');
  process.exitCode = await runBackgroundCommand('status', args, {}, process.env);
} else {
  await import('./main.js');
}
