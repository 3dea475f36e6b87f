/**
 * What `print-config` and `setup` both do first: list the routed models,
 * write the Codex model catalog, and decide the settings Codex gets (the
 * relay's URL, the key variable, the starting model, the catalog path).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type CodexSettingsToWrite, DEFAULT_CODEX_ENV_KEY, relayBaseUrl } from '../codex/codex-config.js';
import { buildCodexCatalog, type CodexCatalog, codexSlug } from '../codex/model-catalog.js';
import { CliError } from '../config/cli-error.js';
import type { RelayConfigFile } from '../config/config-file.js';
import { findListed, type RoutedModel } from '../models/routed-models.js';
import { defaultCatalogPath, expandHome } from '../paths.js';
import type { ModelRouter } from '../routing/router.js';
import { listModelsOnce } from './list-models.js';

export interface CodexSettingsOptions {
  host: string;
  port: number;
  /** The routed model (or its catalog name) Codex starts with. */
  model?: string | undefined;
  catalog?: string | undefined;
  envKey?: string | undefined;
}

export interface PreparedCodexSettings {
  settings: CodexSettingsToWrite;
  catalog: CodexCatalog;
  /** Things the user should know (missing context windows). */
  notes: string[];
}

/** Lists the models, writes the catalog file and returns the settings for Codex. */
export async function prepareCodexSettings(
  options: CodexSettingsOptions,
  router: ModelRouter,
  file: RelayConfigFile | undefined,
  environment: NodeJS.ProcessEnv,
): Promise<PreparedCodexSettings> {
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) {
    throw new CliError(
      `Codex needs the relay's fixed port: pass --port (or set it in the config file), got '${options.port}'`,
    );
  }
  const wanted = options.model ?? file?.codex.model;
  const models = await listModelsOnce(router, wanted !== undefined && !router.aliases.has(wanted) ? [wanted] : []);
  const catalog = buildCodexCatalog(models);
  const model = pickModel(models, router, wanted);
  const catalogPath = expandHome(
    options.catalog ?? file?.codex.catalog ?? defaultCatalogPath(environment),
    environment,
  );
  writeCatalog(catalogPath, catalog);
  const notes = catalog.models
    .filter((entry) => entry.context_window === undefined && entry.visibility === 'list')
    .map(
      (entry) =>
        `no context window is known for ${entry.slug}; Codex will not compact on time (declare it under [providers.<name>] models in the config file)`,
    );
  return {
    settings: {
      baseUrl: relayBaseUrl(options.host, options.port),
      envKey: options.envKey ?? file?.codex.envKey ?? DEFAULT_CODEX_ENV_KEY,
      model,
      catalogPath,
    },
    catalog,
    notes,
  };
}

/**
 * The catalog slug of the starting model: the one asked for (by any name that
 * routes to it), else the first alias, else the first model a profile knows.
 */
function pickModel(models: readonly RoutedModel[], router: ModelRouter, wanted: string | undefined): string {
  if (wanted !== undefined) {
    const route = router.resolve(wanted);
    const match =
      models.find((model) => model.id === wanted || codexSlug(model) === wanted) ??
      findListed(models, route.provider, route.upstreamModel);
    // The model list always describes a requested name (see listModelsOnce), so this holds.
    if (!match) throw new Error(`model '${wanted}' is missing from the routed models`);
    return codexSlug(match);
  }
  const first = models.find((model) => model.alias) ?? models.find((model) => model.known) ?? models[0];
  if (!first)
    throw new CliError('the relay routes no models yet: add an alias to the config file or pass --model <name>');
  return codexSlug(first);
}

/** Writes the catalog atomically (a reader never sees half a file). */
function writeCatalog(path: string, catalog: CodexCatalog): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temporary, `${JSON.stringify(catalog, null, 2)}\n`, 'utf8');
    renameSync(temporary, path);
  } catch (error) {
    throw new CliError(`cannot write the model catalog ${path}: ${(error as Error).message}`);
  }
}
