/**
 * Where the relay's own files live (its config file and the Codex model
 * catalog it writes) and where Codex keeps its configuration. All of them
 * follow the environment: XDG_CONFIG_HOME, CODEX_HOME, HOME.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** `$XDG_CONFIG_HOME/responses-relay`, else `~/.config/responses-relay`. */
export function relayConfigDirectory(environment: NodeJS.ProcessEnv): string {
  const xdg = environment.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(homeDirectory(environment), '.config');
  return join(base, 'responses-relay');
}

/** The config file read when neither `--config` nor RESPONSES_RELAY_CONFIG names one. */
export function defaultConfigPath(environment: NodeJS.ProcessEnv): string {
  return join(relayConfigDirectory(environment), 'config.toml');
}

/** The Codex model catalog `print-config` and `setup` write unless told otherwise. */
export function defaultCatalogPath(environment: NodeJS.ProcessEnv): string {
  return join(relayConfigDirectory(environment), 'codex-models.json');
}

/** `$XDG_STATE_HOME/responses-relay`, else `~/.local/state/responses-relay`: the session store, PID and log files. */
export function relayStateDirectory(environment: NodeJS.ProcessEnv, home: string = homeDirectory(environment)): string {
  const stateHome = environment.XDG_STATE_HOME;
  // The XDG spec says relative values are to be ignored.
  const base = stateHome && isAbsolute(stateHome) ? stateHome : join(home, '.local', 'state');
  return join(base, 'responses-relay');
}

/** Codex's configuration directory: CODEX_HOME, else `~/.codex`. */
export function codexHome(environment: NodeJS.ProcessEnv): string {
  const configured = environment.CODEX_HOME;
  return configured ? expandHome(configured, environment) : join(homeDirectory(environment), '.codex');
}

/** Expands a leading `~/` and makes the path absolute (relative to the working directory). */
export function expandHome(path: string, environment: NodeJS.ProcessEnv): string {
  if (path === '~') return homeDirectory(environment);
  if (path.startsWith('~/')) return join(homeDirectory(environment), path.slice(2));
  return resolve(path);
}

function homeDirectory(environment: NodeJS.ProcessEnv): string {
  return environment.HOME || homedir();
}
