/**
 * The relay's config file (TOML): providers, aliases with their fallbacks,
 * serve settings and what `print-config`/`setup` write for Codex. Parsed
 * with smol-toml and checked with zod; every problem is one line naming the
 * file, the key and what is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { looksLikeOpenAiModel } from '../models/slugs.js';
import { genericProvider } from '../providers/generic.js';
import { findProviderProfile, PROVIDER_IDS } from '../providers/index.js';
import type { ModelPrice, ProviderModel, ProviderProfile } from '../translate/provider-hooks.js';
import { CliError } from './cli-error.js';

export interface FileProvider {
  /** The table name: how routes and `provider/model` names refer to it. */
  name: string;
  profile: ProviderProfile;
  baseUrl: string | undefined;
  apiKeyEnv: string | undefined;
  /** Several key variables to rotate over (`api_key_envs`). */
  apiKeyEnvs: string[] | undefined;
  /** Forward proxy for this provider (`proxy`), overriding --upstream-proxy and HTTPS_PROXY; `none` for a direct connection. */
  proxy: string | undefined;
  /** Private CA file (`ca_file`), relative paths taken from the config file's directory. */
  caFile: string | undefined;
  headers: Record<string, string>;
  /** Models declared in the file; they take precedence over the profile's. */
  models: ProviderModel[];
  /** Prices declared in the file; they take precedence over the profile's. */
  prices: ModelPrice[];
}

export interface FileAlias {
  name: string;
  /** `provider/model`, or a model of the default provider. */
  route: string;
  fallbacks: string[];
}

export interface CodexSettings {
  /** The model Codex starts with. */
  model: string | undefined;
  /** Where the model catalog is written. */
  catalog: string | undefined;
  /** The variable Codex reads the relay's key from. */
  envKey: string | undefined;
}

export interface RelayConfigFile {
  path: string;
  defaultProvider: string | undefined;
  /** Serve flags by name, as written (checked against the command's flags later). */
  serve: Record<string, unknown>;
  providers: FileProvider[];
  aliases: FileAlias[];
  codex: CodexSettings;
}

const EFFORT = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const modelSchema = z.strictObject({
  id: z.string().min(1),
  context_window: z.number().int().positive(),
  max_output_tokens: z.number().int().positive().optional(),
  reasoning_efforts: z.array(EFFORT).optional(),
  default_reasoning_effort: EFFORT.optional(),
  images: z.boolean().optional(),
});

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  cached_input: z.number().nonnegative().optional(),
  output: z.number().nonnegative(),
  source: z.string().min(1).optional(),
  date: z.string().regex(DAY, 'expected a day as YYYY-MM-DD').optional(),
});

const providerSchema = z.strictObject({
  profile: z.string().min(1).optional(),
  base_url: z
    .string()
    .refine(isHttpUrl, 'expected an http:// or https:// URL, e.g. https://api.deepseek.com/v1')
    .optional(),
  api_key_env: z.string().regex(VARIABLE, 'expected an environment variable name, e.g. DEEPSEEK_API_KEY').optional(),
  api_key_envs: z
    .array(z.string().regex(VARIABLE, 'expected environment variable names, e.g. ["KEY_A", "KEY_B"]'))
    .min(1)
    .optional(),
  proxy: z
    .string()
    .refine(
      (value) => value === 'none' || isHttpUrl(value),
      'expected an http:// or https:// proxy URL, e.g. http://proxy.example.com:3128, or "none"',
    )
    .optional(),
  ca_file: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  models: z.array(modelSchema).optional(),
  /** US dollars per million tokens, by upstream model id. */
  prices: z.record(z.string().min(1), priceSchema).optional(),
});

const routeSchema = z.string().min(1, 'expected "provider/model" or a model name');
const aliasSchema = z.union(
  [routeSchema, z.strictObject({ route: routeSchema, fallbacks: z.array(routeSchema).optional() })],
  {
    error: 'expected "provider/model" or { route = "provider/model", fallbacks = ["other/model"] }',
  },
);

const fileSchema = z.strictObject({
  default_provider: z.string().min(1).optional(),
  serve: z.record(z.string(), z.unknown()).optional(),
  providers: z
    .record(z.string().regex(NAME, 'provider names use letters, digits, ".", "_" and "-" (no "/")'), providerSchema)
    .optional(),
  aliases: z.record(z.string().min(1), aliasSchema).optional(),
  codex: z
    .strictObject({
      model: z.string().min(1).optional(),
      catalog: z.string().min(1).optional(),
      env_key: z.string().regex(VARIABLE, 'expected an environment variable name').optional(),
    })
    .optional(),
});

/**
 * Reads the config file. A file named explicitly must exist; the default one
 * is used only when present (undefined otherwise).
 */
export function loadConfigFile(path: string, explicit: boolean): RelayConfigFile | undefined {
  if (!existsSync(path)) {
    if (explicit) throw new CliError(`config file ${path} does not exist (create one with \`responses-relay init\`)`);
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigText(text, path);
}

/** Parses and checks config text; `path` is only used in messages. */
export function parseConfigText(text: string, path: string): RelayConfigFile {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
      throw new CliError(`${path}: line ${error.line}, column ${error.column}: ${reason}`);
    }
    throw error;
  }
  const checked = fileSchema.safeParse(document);
  if (!checked.success) throw new CliError(`${path}: ${describeIssue(checked.error.issues[0]!)}`);
  const file = checked.data;

  const providers = Object.entries(file.providers ?? {}).map(([name, provider]): FileProvider => {
    if (looksLikeOpenAiModel(name)) {
      throw new CliError(
        `${path}: ${keyPath(['providers', name])}: a provider name must not start like an OpenAI model (gpt, o3, codex, …): Codex would take "${name}/model" for one`,
      );
    }
    const profileName = provider.profile ?? (findProviderProfile(name) ? name : undefined);
    const profile = profileName === undefined ? genericProvider : findProviderProfile(profileName);
    if (!profile) {
      throw new CliError(
        `${path}: ${keyPath(['providers', name, 'profile'])}: unknown profile '${profileName}'; known profiles: ${PROVIDER_IDS.join(', ')}`,
      );
    }
    if (provider.api_key_env !== undefined && provider.api_key_envs !== undefined) {
      throw new CliError(`${path}: ${keyPath(['providers', name])}: give either api_key_env or api_key_envs, not both`);
    }
    return {
      name,
      profile,
      baseUrl: provider.base_url,
      apiKeyEnv: provider.api_key_env,
      apiKeyEnvs: provider.api_key_envs,
      proxy: provider.proxy,
      caFile: provider.ca_file === undefined ? undefined : resolve(dirname(path), provider.ca_file),
      headers: { ...provider.headers },
      models: (provider.models ?? []).map(toProviderModel),
      prices: Object.entries(provider.prices ?? {}).map(([model, price]) => toModelPrice(model, price, path)),
    };
  });
  if (file.default_provider !== undefined && !providers.some((provider) => provider.name === file.default_provider)) {
    const known = providers.map((provider) => provider.name).join(', ') || 'none';
    throw new CliError(
      `${path}: default_provider: '${file.default_provider}' is not a provider in this file (providers: ${known})`,
    );
  }
  const aliases = Object.entries(file.aliases ?? {}).map(
    ([name, alias]): FileAlias =>
      typeof alias === 'string'
        ? { name, route: alias, fallbacks: [] }
        : { name, route: alias.route, fallbacks: alias.fallbacks ?? [] },
  );
  return {
    path,
    defaultProvider: file.default_provider,
    serve: { ...file.serve },
    providers,
    aliases,
    codex: { model: file.codex?.model, catalog: file.codex?.catalog, envKey: file.codex?.env_key },
  };
}

function toProviderModel(model: z.infer<typeof modelSchema>): ProviderModel {
  const result: ProviderModel = { id: model.id, contextWindow: model.context_window };
  if (model.max_output_tokens !== undefined) result.maxOutputTokens = model.max_output_tokens;
  if (model.reasoning_efforts !== undefined) result.reasoningEfforts = model.reasoning_efforts;
  if (model.default_reasoning_effort !== undefined) result.defaultReasoningEffort = model.default_reasoning_effort;
  if (model.images !== undefined) result.images = model.images;
  return result;
}

function toModelPrice(model: string, price: z.infer<typeof priceSchema>, path: string): ModelPrice {
  const result: ModelPrice = {
    model,
    inputPerMillion: price.input,
    outputPerMillion: price.output,
    source: price.source ?? path,
    takenOn: price.date ?? '',
  };
  if (price.cached_input !== undefined) result.cachedInputPerMillion = price.cached_input;
  return result;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => keyPath([...issue.path, key]));
    return `${keys.join(', ')}: unknown ${keys.length === 1 ? 'key' : 'keys'}`;
  }
  // A bad table name: the reason is in the nested issue.
  if (issue.code === 'invalid_key') return `${keyPath(issue.path)}: ${issue.issues[0]?.message ?? issue.message}`;
  return `${keyPath(issue.path) || '(top level)'}: ${issue.message}`;
}

/** A TOML key path as written in the file: bare keys plain, others quoted. */
export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((key) =>
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z0-9_-]+$/.test(String(key))
          ? String(key)
          : JSON.stringify(String(key)),
    )
    .join('.')
    .replace(/\.\[/g, '[');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
