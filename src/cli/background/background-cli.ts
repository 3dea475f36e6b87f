/**
 * The command-line side of the background commands: which serve arguments
 * the background relay gets (everything on the command line but the command
 * itself), how long `stop` waits, and where the output goes.
 */

import { CliError } from '../../config/cli-error.js';
import { parseDuration } from '../../duration.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../../server/defaults.js';
import { RELAY_EXECUTABLE } from '../relay-executable.js';
import { reportStatus, restartBackground, showLogs, startInBackground, stopBackground } from './background-commands.js';
import {
  defaultServiceManager,
  installService,
  type ServiceManager,
  serviceEnvironmentFile,
  uninstallService,
} from './service-unit.js';
import { backgroundFiles } from './state-files.js';

export type BackgroundCommand = 'start' | 'restart' | 'status' | 'stop' | 'logs' | 'service';

export interface BackgroundOptions {
  shutdownGrace?: string | undefined;
  follow?: boolean | undefined;
  lines?: number | undefined;
  action?: string | undefined;
  manager?: string | undefined;
}

/** What `stop` waits for after SIGTERM before SIGKILL: the relay's shutdown grace and a margin to close the store. */
const STOP_MARGIN_MS = 5_000;

/** The command line without the command's own words (and options), as `serve` arguments. */
export function serveArgumentsOf(
  argv: readonly string[],
  words: readonly string[],
  ownOptions: readonly string[] = [],
): string[] {
  const remaining = [...argv];
  for (const word of words) {
    const index = remaining.indexOf(word);
    if (index >= 0) remaining.splice(index, 1);
  }
  for (const option of ownOptions) {
    const index = remaining.findIndex((argument) => argument === option || argument.startsWith(`${option}=`));
    if (index >= 0) remaining.splice(index, remaining[index] === option ? 2 : 1);
  }
  return remaining;
}

function stopAfterMs(shutdownGrace: string | undefined): number {
  if (shutdownGrace === undefined) return DEFAULT_SHUTDOWN_GRACE_MS + STOP_MARGIN_MS;
  const grace = shutdownGrace.trim() === '0' ? 0 : parseDuration(shutdownGrace);
  if (grace === undefined)
    throw new CliError(`--shutdown-grace '${shutdownGrace}' is not a duration; use e.g. 25s or 1m`);
  return grace + STOP_MARGIN_MS;
}

export async function runBackgroundCommand(
  command: BackgroundCommand,
  argv: readonly string[],
  options: BackgroundOptions,
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  const files = backgroundFiles(environment);
  const out = (text: string) => process.stdout.write(text);
  const problem = (text: string) => process.stderr.write(text);
  switch (command) {
    case 'start':
    case 'restart': {
      const request = {
        serveArgs: serveArgumentsOf(argv, [command]),
        stopAfterMs: stopAfterMs(options.shutdownGrace),
        files,
        environment,
        out,
        problem,
      };
      return command === 'start' ? startInBackground(request) : restartBackground(request);
    }
    case 'status':
      return reportStatus(files, out);
    case 'stop':
      return stopBackground(files, out);
    case 'logs':
      return showLogs(files, options.lines ?? 100, options.follow ?? false, out);
    case 'service': {
      const manager = (options.manager ?? defaultServiceManager()) as ServiceManager;
      if (options.action === 'uninstall') return uninstallService(manager, environment, out);
      const args = serveArgumentsOf(argv, ['service', 'install'], ['--manager']);
      const definition = {
        command: [process.execPath, RELAY_EXECUTABLE],
        args,
        logFile: files.logFile,
        environmentFile: serviceEnvironmentFile(environment),
      };
      return installService(manager, definition, environment, out);
    }
  }
}
