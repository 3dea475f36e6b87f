/**
 * Serve settings from the config file as yargs defaults. yargs' `.config()`
 * gives exactly the precedence wanted (flag > RESPONSES_RELAY_* variable >
 * file > default); before handing the values over they are checked against
 * the command's own flag definitions (name, type, choices), so any flag a
 * command declares can be set in the file with no code of its own.
 */
import type { Argv } from 'yargs';
import { CliError } from '../config/cli-error.js';
import { keyPath, type RelayConfigFile } from '../config/config-file.js';

/** Flags that make no sense in a file. */
const NOT_IN_FILE = new Set(['help', 'version', 'config', 'h', '$0', '_']);

export interface FileSettingsOptions {
  /** Reject keys the command does not know (the serve command); others skip them. */
  strict: boolean;
}

/** Applies the `[serve]` table of the file to a command's flags. */
export function applyFileSettings<T>(
  command: Argv<T>,
  file: RelayConfigFile | undefined,
  options: FileSettingsOptions,
): Argv<T> {
  if (!file || Object.keys(file.serve).length === 0) return command;
  // getOptions() is public in yargs but missing from its type definitions.
  const declared = (command as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const flagNames = Object.keys(declared.key).filter(
    (name) => !NOT_IN_FILE.has(name) && !isAliasOnly(name, declared.alias),
  );
  const accepted: Record<string, unknown> = {};
  for (const [written, value] of Object.entries(file.serve)) {
    // `log_level` and `log-level` both name --log-level.
    const name = written.replaceAll('_', '-');
    const where = `${file.path}: ${keyPath(['serve', written])}`;
    if (!flagNames.includes(name)) {
      if (options.strict)
        throw new CliError(
          `${where}: unknown serve setting; the settings are the serve flags: ${flagNames.join(', ')}`,
        );
      continue;
    }
    const problem = typeProblem(name, value, declared);
    if (problem) throw new CliError(`${where}: ${problem}`);
    accepted[name] = value;
  }
  return command.config(accepted);
}

/** The parts of yargs' option table read here. */
interface DeclaredOptions {
  key: Record<string, boolean>;
  alias: Record<string, string[]>;
  boolean: string[];
  number: string[];
  count: string[];
  string: string[];
  array: string[];
  choices: Record<string, unknown[] | undefined>;
}

function typeProblem(name: string, value: unknown, declared: DeclaredOptions): string | undefined {
  const shown = JSON.stringify(value);
  if (declared.boolean.includes(name) && typeof value !== 'boolean') return `expected true or false, got ${shown}`;
  if ((declared.number.includes(name) || declared.count.includes(name)) && typeof value !== 'number')
    return `expected a number, got ${shown}`;
  if (declared.array.includes(name)) {
    if (!Array.isArray(value)) return `expected an array, got ${shown}`;
    if (declared.string.includes(name) && !value.every((item) => typeof item === 'string'))
      return `expected an array of strings, got ${shown}`;
  } else if (declared.string.includes(name) && typeof value !== 'string') return `expected a string, got ${shown}`;
  const choices = declared.choices[name];
  const values = Array.isArray(value) ? value : [value];
  if (choices && !values.every((item) => choices.includes(item)))
    return `expected one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}, got ${shown}`;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return `expected a value, got a table`;
  return undefined;
}

/** True for a short alias (`-h`): the file uses the flags' full names (long aliases such as `allow-origins` count). */
function isAliasOnly(name: string, aliases: Record<string, string[]>): boolean {
  return name.length === 1 && Object.values(aliases).some((list) => list.includes(name));
}
