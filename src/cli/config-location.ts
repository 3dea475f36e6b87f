/**
 * Which config file a run uses: `--config`, else RESPONSES_RELAY_CONFIG, else
 * the default path (used only when it exists). Found before the commands are
 * built, because the file supplies defaults for their flags.
 */
import { Parser } from 'yargs/helpers';
import type { RelayConfigFile } from '../config/config-file.js';
import { loadConfigFile } from '../config/config-file.js';
import { defaultConfigPath, expandHome } from '../paths.js';

export interface ConfigLocation {
  path: string;
  /** Named by the user: it must exist. */
  explicit: boolean;
}

/** Finds the config file named on the command line or in the environment. */
export function findConfigLocation(argv: readonly string[], environment: NodeJS.ProcessEnv): ConfigLocation {
  const parsed = Parser([...argv], { string: ['config'], configuration: { 'camel-case-expansion': false } });
  const fromFlag = parsed.config as string | string[] | undefined;
  const named = (Array.isArray(fromFlag) ? fromFlag.at(-1) : fromFlag) || environment.RESPONSES_RELAY_CONFIG;
  if (named) return { path: expandHome(named, environment), explicit: true };
  return { path: defaultConfigPath(environment), explicit: false };
}

/** Loads the config file on first use, so commands that do not read it never fail on it. */
export class ConfigSource {
  readonly location: ConfigLocation;
  private loaded: { file: RelayConfigFile | undefined } | undefined;

  constructor(location: ConfigLocation) {
    this.location = location;
  }

  /** The parsed file, or undefined when the default file does not exist. */
  file(): RelayConfigFile | undefined {
    this.loaded ??= { file: loadConfigFile(this.location.path, this.location.explicit) };
    return this.loaded.file;
  }
}
