/**
 * `print-config --client claude-code` and `setup --client claude-code`: the
 * environment that points Claude Code at the relay (ANTHROPIC_BASE_URL, a
 * token, the models it asks for), printed as shell exports and as a
 * `~/.claude/settings.json` fragment, or written into that file's `env`.
 * Setup backs the file up first, touches only the keys it owns, and
 * `setup --undo --client claude-code` puts back what they replaced.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { relayBaseUrl } from '../codex/codex-config.js';
import { CliError } from '../config/cli-error.js';
import type { RoutedModel } from '../models/routed-models.js';
import { expandHome } from '../paths.js';
import {
  backup,
  readSetupRecord,
  readText,
  type SetupResult,
  type UndoResult,
  writeAtomically,
} from './setup-command.js';

/** The `env` keys of settings.json the relay owns. */
export const CLAUDE_CODE_ENV_KEYS = [
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_SMALL_FAST_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
] as const;

export type ClaudeCodeEnvironment = Record<(typeof CLAUDE_CODE_ENV_KEYS)[number], string>;

/** Where setup keeps what `--undo` needs, next to settings.json. */
const STATE_FILE = 'responses-relay-setup.json';

/** The token Claude Code sends when the relay has none (it must send some). */
const PLACEHOLDER_TOKEN = 'local';

export interface ClaudeCodeOptions {
  host: string;
  port: number;
  /** The routed model Claude Code asks for; the first alias (else the first known model) when absent. */
  model?: string | undefined;
  /** Claude Code's small/fast model (background tasks); the same model when absent. */
  smallModel?: string | undefined;
}

/** Claude Code's configuration directory: CLAUDE_CONFIG_DIR, else `~/.claude`. */
export function claudeCodeHome(environment: NodeJS.ProcessEnv): string {
  const configured = environment.CLAUDE_CONFIG_DIR;
  return configured ? expandHome(configured, environment) : expandHome('~/.claude', environment);
}

/** The environment for Claude Code. */
export function claudeCodeEnvironment(
  options: ClaudeCodeOptions,
  models: readonly RoutedModel[],
): ClaudeCodeEnvironment {
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) {
    throw new CliError(
      `Claude Code needs the relay's fixed port: pass --port (or set it in the config file), got '${options.port}'`,
    );
  }
  const first = models.find((model) => model.alias) ?? models.find((model) => model.known) ?? models[0];
  const model = options.model ?? first?.id;
  if (model === undefined)
    throw new CliError('the relay routes no models yet: add an alias to the config file or pass --model <name>');
  const smallModel = options.smallModel ?? model;
  return {
    // Claude Code adds /v1/messages itself.
    ANTHROPIC_BASE_URL: relayBaseUrl(options.host, options.port).replace(/\/v1$/, ''),
    ANTHROPIC_AUTH_TOKEN: PLACEHOLDER_TOKEN,
    ANTHROPIC_MODEL: model,
    ANTHROPIC_SMALL_FAST_MODEL: smallModel,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: smallModel,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
}

/** Shell exports, then the same as a settings.json fragment. */
export function renderClaudeCodeConfig(environment: ClaudeCodeEnvironment): string {
  const exports = Object.entries(environment).map(([key, value]) => `export ${key}=${shellQuote(value)}`);
  return [
    '# Claude Code through responses-relay: in the shell …',
    ...exports,
    `# (with --auth-token, set ANTHROPIC_AUTH_TOKEN to the relay's token)`,
    '',
    '# … or in ~/.claude/settings.json:',
    JSON.stringify({ env: environment }, null, 2),
    '',
  ].join('\n');
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const stateSchema = z.object({
  version: z.literal(1),
  createdConfig: z.boolean(),
  /** The values the owned keys had before the first setup (null: absent). */
  previous: z.record(z.string(), z.string().nullable()),
});

/** Writes the environment into `<home>/settings.json`. */
export function runClaudeCodeSetup(
  environment: ClaudeCodeEnvironment,
  home: string,
  now: Date = new Date(),
): SetupResult {
  const configPath = join(home, 'settings.json');
  const existed = existsSync(configPath);
  const settings = existed ? readSettings(configPath) : {};
  const currentEnv = envOf(settings, configPath);
  const next = { ...settings, env: { ...currentEnv, ...environment } };
  if (existed && JSON.stringify(next) === JSON.stringify(settings))
    return { configPath, changed: false, backupPath: undefined };
  try {
    mkdirSync(home, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create ${home}: ${(error as Error).message}`);
  }
  const backupPath = existed ? backup(configPath, now) : undefined;
  const statePath = join(home, STATE_FILE);
  // Undo goes back to before the first setup, however many times it ran since.
  const state = readState(statePath) ?? {
    version: 1 as const,
    createdConfig: !existed,
    previous: Object.fromEntries(
      CLAUDE_CODE_ENV_KEYS.map((key) => [
        key,
        typeof currentEnv[key] === 'string' ? (currentEnv[key] as string) : null,
      ]),
    ),
  };
  writeAtomically(
    configPath,
    `${JSON.stringify(next, null, 2)}\n`,
    existed ? statSync(configPath).mode & 0o777 : 0o600,
  );
  writeAtomically(statePath, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  return { configPath, changed: true, backupPath };
}

/** Takes the relay's keys out of settings.json and puts back what they replaced. */
export function runClaudeCodeUndo(home: string): UndoResult {
  const configPath = join(home, 'settings.json');
  const statePath = join(home, STATE_FILE);
  const state = readState(statePath);
  if (!state || !existsSync(configPath)) {
    if (state) rmSync(statePath);
    return { configPath, outcome: 'nothing-to-undo', backupPath: undefined };
  }
  const settings = readSettings(configPath);
  const env = { ...envOf(settings, configPath) };
  for (const key of CLAUDE_CODE_ENV_KEYS) {
    const previous = state.previous[key];
    if (previous === null || previous === undefined) delete env[key];
    else env[key] = previous;
  }
  const { env: _env, ...rest } = settings;
  const next = Object.keys(env).length > 0 ? { ...rest, env } : rest;
  rmSync(statePath);
  if (state.createdConfig && Object.keys(next).length === 0) {
    rmSync(configPath);
    return { configPath, outcome: 'removed-file', backupPath: undefined };
  }
  writeAtomically(configPath, `${JSON.stringify(next, null, 2)}\n`, statSync(configPath).mode & 0o777);
  return { configPath, outcome: 'removed-settings', backupPath: undefined };
}

function readSettings(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${path} is not valid JSON; fix it first (nothing was changed)`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CliError(`${path} does not hold a JSON object; fix it first (nothing was changed)`);
  return parsed as Record<string, unknown>;
}

function envOf(settings: Record<string, unknown>, path: string): Record<string, unknown> {
  const env = settings.env ?? {};
  if (env === null || typeof env !== 'object' || Array.isArray(env))
    throw new CliError(`${path}: "env" is not an object; fix it first (nothing was changed)`);
  return env as Record<string, unknown>;
}

function readState(path: string): z.infer<typeof stateSchema> | undefined {
  return readSetupRecord(path, stateSchema, 'settings.json');
}
