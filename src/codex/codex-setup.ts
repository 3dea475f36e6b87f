/**
 * The text side of `responses-relay setup`: what Codex's config.toml becomes
 * when the relay's settings are written into it, what it was before (so
 * `--undo` can put it back even after other edits), and a check with a real
 * TOML parser that nothing but the relay's own keys changed. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';
import {
  CODEX_PROVIDER_ID,
  type CodexSettingsToWrite,
  OWNED_ROOT_KEYS,
  type OwnedRootKey,
  providerTableValues,
  renderProviderTable,
  rootValues,
  tomlLine,
} from './codex-config.js';
import { findRootPair, findTable, putTable, removeRootPair, removeTable, setRootPairs } from './config-edit.js';

export const PROVIDER_TABLE_PATH = ['model_providers', CODEX_PROVIDER_ID] as const;

/** The relay-owned parts of a config as they were, as raw text (null where absent). */
export interface OwnedSnapshot {
  root: Record<OwnedRootKey, string | null>;
  table: string | null;
}

/** The config with the relay's settings written in. */
export function applySetup(current: string, settings: CodexSettingsToWrite): string {
  const values = rootValues(settings);
  const withRoot = setRootPairs(
    current,
    OWNED_ROOT_KEYS.map((key) => ({ key, line: tomlLine(key, values[key]) })),
  );
  const next = putTable(withRoot, PROVIDER_TABLE_PATH, renderProviderTable(settings));
  verifyOnlyOwnedChanged(current, next);
  const parsed = parseOrThrow(next, 'the edited config');
  const table = (parsed.model_providers as Record<string, unknown> | undefined)?.[CODEX_PROVIDER_ID];
  const expectedRoot = OWNED_ROOT_KEYS.every((key) => parsed[key] === values[key]);
  if (!expectedRoot || !isDeepStrictEqual({ ...(table as object) }, providerTableValues(settings))) {
    throw new Error('the edited config does not hold the intended settings');
  }
  return next;
}

/** The relay-owned parts of a config before setup touched it. */
export function snapshotOwned(current: string): OwnedSnapshot {
  const root = {} as Record<OwnedRootKey, string | null>;
  for (const key of OWNED_ROOT_KEYS) root[key] = findRootPair(current, key)?.text ?? null;
  return { root, table: findTable(current, PROVIDER_TABLE_PATH)?.text ?? null };
}

/**
 * Takes the relay's settings out of a config the user may have edited since:
 * the provider table and the owned root keys go, and what was there before
 * setup comes back.
 */
export function undoSetup(current: string, previous: OwnedSnapshot): string {
  let text = removeTable(current, PROVIDER_TABLE_PATH);
  for (const key of OWNED_ROOT_KEYS) {
    const before = previous.root[key];
    // A key that was there goes back where it now stands; one setup added goes away.
    text =
      before === null ? removeRootPair(text, key) : setRootPairs(text, [{ key, line: before.replace(/\r?\n$/, '') }]);
  }
  if (previous.table !== null) text = putTable(text, PROVIDER_TABLE_PATH, previous.table);
  verifyOnlyOwnedChanged(current, text);
  return text;
}

/** Throws unless the two configs are equal once the relay-owned keys are set aside. */
export function verifyOnlyOwnedChanged(before: string, after: string): void {
  const left = withoutOwned(parseOrThrow(before, 'the current config'));
  const right = withoutOwned(parseOrThrow(after, 'the edited config'));
  if (!isDeepStrictEqual(left, right)) throw new Error("the edit would change settings that are not the relay's");
}

/** The existing config defines the relay's provider some other way (inline or dotted keys), which is not edited. */
export function hasUneditableProvider(current: string): boolean {
  const parsed = parseOrThrow(current, 'the current config');
  const defined = (parsed.model_providers as Record<string, unknown> | undefined)?.[CODEX_PROVIDER_ID] !== undefined;
  return defined && findTable(current, PROVIDER_TABLE_PATH) === undefined;
}

function withoutOwned(document: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...document };
  for (const key of OWNED_ROOT_KEYS) delete copy[key];
  const providers = copy.model_providers as Record<string, unknown> | undefined;
  if (providers && typeof providers === 'object') {
    const rest: Record<string, unknown> = { ...providers };
    delete rest[CODEX_PROVIDER_ID];
    if (Object.keys(rest).length === 0) delete copy.model_providers;
    else copy.model_providers = rest;
  }
  return copy;
}

function parseOrThrow(text: string, what: string): Record<string, unknown> {
  try {
    return { ...parse(text) };
  } catch (error) {
    throw new Error(`${what} is not valid TOML: ${(error as Error).message.split('\n')[0]}`);
  }
}
