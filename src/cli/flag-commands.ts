/**
 * Commands spelled as flags, as codex-relay users know them:
 * `responses-relay --print-config [options]` is `responses-relay print-config [options]`.
 */
const FLAG_COMMANDS: Record<string, string> = { '--print-config': 'print-config' };

/** Rewrites a flag that names a command into the command (before any `--`). */
export function commandFromFlag(argv: readonly string[]): string[] {
  const end = argv.indexOf('--') === -1 ? argv.length : argv.indexOf('--');
  const index = argv.findIndex((argument, position) => position < end && argument in FLAG_COMMANDS);
  if (index === -1) return [...argv];
  const rest = argv.filter((_, position) => position !== index);
  // `serve --print-config` prints too: the flag replaces the default command.
  if (rest[0] === 'serve') rest.shift();
  return [FLAG_COMMANDS[argv[index]!]!, ...rest];
}
