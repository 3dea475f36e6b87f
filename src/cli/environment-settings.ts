/**
 * `RESPONSES_RELAY_*` variables meant for something else — another command's
 * flag (`RESPONSES_RELAY_LOG_LEVEL` while running `models`) or no flag at all
 * (`RESPONSES_RELAY_CLIENT_KEY`, the key Codex sends to the relay) — must not
 * count as unknown arguments: yargs' strict mode would refuse to start. Only
 * unknown flags typed on the command line are errors.
 */
import type { Arguments } from 'yargs';

/** A yargs middleware (run before validation) dropping values of variables the command has no flag for. */
export function ignoreForeignVariables(prefix: string, environment: NodeJS.ProcessEnv, commandLine: readonly string[]) {
  // yargs passes the running command's instance as a second argument (missing from its type definitions).
  return function ignoreForeign(argv: Arguments, ...rest: unknown[]): void {
    const known = (rest[0] as { getOptions(): { key: Record<string, boolean> } }).getOptions().key;
    for (const name of Object.keys(environment)) {
      if (!name.startsWith(`${prefix}_`)) continue;
      const kebab = name
        .slice(prefix.length + 1)
        .split('__')[0]!
        .toLowerCase()
        .replaceAll('_', '-');
      const camel = kebab.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
      if (known[kebab] || known[camel]) continue;
      if (
        commandLine.some(
          (token) =>
            token === `--${kebab}` ||
            token.startsWith(`--${kebab}=`) ||
            token === `--${camel}` ||
            token.startsWith(`--${camel}=`),
        )
      )
        continue;
      delete argv[kebab];
      delete argv[camel];
    }
  };
}
