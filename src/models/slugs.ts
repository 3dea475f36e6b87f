/**
 * Model names as Codex sees them. Codex looks model metadata up by the
 * longest matching prefix of the name and has behaviour tied to OpenAI's
 * model families, so a relay model whose name starts like an OpenAI model
 * (`gpt-oss-120b`, `o3-mini`, `codex-…`) could pick up OpenAI's metadata.
 * Such names get a prefix in the catalog; the router accepts both forms.
 */

/** Beginnings of OpenAI model names in Codex's catalog and model-family rules. */
export const OPENAI_MODEL_PREFIXES: readonly string[] = ['gpt', 'chatgpt', 'codex', 'o1', 'o3', 'o4'];

/** The prefix put in front of an alias that starts like an OpenAI model. */
export const CODEX_SAFE_PREFIX = 'relay-';

/** True when Codex could mistake the name for one of OpenAI's models. */
export function looksLikeOpenAiModel(name: string): boolean {
  const lower = name.toLowerCase();
  return OPENAI_MODEL_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** The name an alias has in the Codex catalog (itself, unless it starts like an OpenAI model). */
export function codexAliasName(alias: string): string {
  return looksLikeOpenAiModel(alias) ? `${CODEX_SAFE_PREFIX}${alias}` : alias;
}
