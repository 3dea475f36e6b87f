/**
 * `responses-relay setup`: writes the relay's settings into Codex's
 * config.toml (CODEX_HOME, else ~/.codex). A timestamped backup comes first;
 * running it again with the same settings changes nothing; only the relay's
 * provider table and the root keys it owns are touched. `setup --undo`
 * restores the file from the backup when it is unchanged since, or else
 * removes exactly what setup added and puts back what it replaced.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CODEX_PROVIDER_ID, type CodexSettingsToWrite, OWNED_ROOT_KEYS } from '../codex/codex-config.js';
import {
  applySetup,
  hasUneditableProvider,
  type OwnedSnapshot,
  snapshotOwned,
  undoSetup,
} from '../codex/codex-setup.js';
import { CliError } from '../config/cli-error.js';

/** Where setup keeps what `--undo` needs. */
export const SETUP_STATE_FILE = 'responses-relay-setup.json';

const snapshotSchema = z.object({
  root: z.object(
    Object.fromEntries(OWNED_ROOT_KEYS.map((key) => [key, z.string().nullable()])) as Record<
      (typeof OWNED_ROOT_KEYS)[number],
      z.ZodNullable<z.ZodString>
    >,
  ),
  table: z.string().nullable(),
});

const stateSchema = z.object({
  version: z.literal(1),
  configPath: z.string(),
  /** True when setup created config.toml. */
  createdConfig: z.boolean(),
  /** The copy made before the first setup (null when there was no file). */
  backupPath: z.string().nullable(),
  previous: snapshotSchema,
  /** The file as setup last wrote it, to tell whether the user edited it since. */
  writtenSha256: z.string(),
});
type SetupState = z.infer<typeof stateSchema>;

export interface SetupResult {
  configPath: string;
  changed: boolean;
  backupPath: string | undefined;
}

/** Writes the settings into `<codexHome>/config.toml`. */
export function runSetup(settings: CodexSettingsToWrite, codexHome: string, now: Date = new Date()): SetupResult {
  const configPath = join(codexHome, 'config.toml');
  const existed = existsSync(configPath);
  const current = existed ? readText(configPath) : '';
  if (existed && hasUneditableProvider(current)) {
    throw new CliError(
      `${configPath} defines model_providers.${CODEX_PROVIDER_ID} as inline or dotted keys, which setup does not edit; move it to its own [model_providers.${CODEX_PROVIDER_ID}] table or remove it`,
    );
  }
  let next: string;
  try {
    next = applySetup(current, settings);
  } catch (error) {
    throw new CliError(`${configPath}: cannot edit safely (${(error as Error).message}); nothing was changed`);
  }
  if (existed && next === current) return { configPath, changed: false, backupPath: undefined };

  try {
    mkdirSync(codexHome, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create ${codexHome}: ${(error as Error).message}`);
  }
  const backupPath = existed ? backup(configPath, now) : undefined;
  const statePath = join(codexHome, SETUP_STATE_FILE);
  const earlier = readState(statePath);
  // Undo goes back to before the first setup, however many times it ran since.
  const state: SetupState = earlier ?? {
    version: 1,
    configPath,
    createdConfig: !existed,
    backupPath: backupPath ?? null,
    previous: snapshotOwned(current),
    writtenSha256: '',
  };
  state.writtenSha256 = sha256(next);
  writeAtomically(configPath, next, existed ? statSync(configPath).mode & 0o777 : 0o600);
  writeAtomically(statePath, `${JSON.stringify(state, null, 2)}\n`, 0o600);
  return { configPath, changed: true, backupPath };
}

export interface UndoResult {
  configPath: string;
  /** What happened, in words. */
  outcome: 'nothing-to-undo' | 'restored-backup' | 'removed-file' | 'removed-settings';
  backupPath: string | undefined;
}

/** Puts Codex's config back as it was before setup. */
export function runUndo(codexHome: string, now: Date = new Date()): UndoResult {
  const configPath = join(codexHome, 'config.toml');
  const statePath = join(codexHome, SETUP_STATE_FILE);
  const state = readState(statePath);
  if (!state) return { configPath, outcome: 'nothing-to-undo', backupPath: undefined };
  if (!existsSync(configPath)) {
    rmSync(statePath);
    return { configPath, outcome: 'nothing-to-undo', backupPath: undefined };
  }
  const current = readText(configPath);
  const mode = statSync(configPath).mode & 0o777;
  const untouched = sha256(current) === state.writtenSha256;
  let outcome: UndoResult['outcome'];
  let next: string | undefined;
  if (untouched && state.createdConfig) {
    outcome = 'removed-file';
  } else if (untouched && state.backupPath && existsSync(state.backupPath)) {
    next = readText(state.backupPath);
    outcome = 'restored-backup';
  } else {
    try {
      next = undoSetup(current, state.previous as OwnedSnapshot);
    } catch (error) {
      throw new CliError(
        `${configPath}: cannot take the relay's settings out safely (${(error as Error).message}); nothing was changed`,
      );
    }
    outcome = 'removed-settings';
  }
  // The file as it is now is kept too: the user may have edited it since setup.
  const backupPath = untouched ? undefined : backup(configPath, now);
  if (next === undefined) rmSync(configPath);
  else writeAtomically(configPath, next, mode);
  rmSync(statePath);
  return { configPath, outcome, backupPath };
}

function readState(path: string): SetupState | undefined {
  return readSetupRecord(path, stateSchema, 'config.toml');
}

/** A setup record (what `--undo` needs) if there is one; `edited` names the file whose backups sit next to it. */
export function readSetupRecord<T>(path: string, schema: z.ZodType<T>, edited: string): T | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path));
  } catch {
    throw new CliError(`${path} is not valid JSON; remove it to start over (backups of ${edited} are next to it)`);
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success)
    throw new CliError(`${path} is not a setup record this version understands; remove it to start over`);
  return checked.data;
}

/** Copies the file next to itself as `config.toml.backup-<UTC time>` (never overwriting an older backup). */
export function backup(path: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let target = `${path}.backup-${stamp}`;
  for (let counter = 2; existsSync(target); counter++) target = `${path}.backup-${stamp}-${counter}`;
  try {
    copyFileSync(path, target);
  } catch (error) {
    throw new CliError(`cannot back up ${path}: ${(error as Error).message}; nothing was changed`);
  }
  return target;
}

export function writeAtomically(path: string, text: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text, { encoding: 'utf8', mode });
    renameSync(temporary, path);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
