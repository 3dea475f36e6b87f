/**
 * What Codex's config.toml needs to use the relay: a `[model_providers.<id>]`
 * table whose base_url is the relay itself, and the root keys that pick the
 * model, the provider and the generated catalog. Rendered as TOML text.
 */

/** The Codex provider id the relay's table is written under. */
export const CODEX_PROVIDER_ID = 'responses-relay';
/** The variable Codex sends to the relay as its bearer token, unless configured otherwise. */
export const DEFAULT_CODEX_ENV_KEY = 'RESPONSES_RELAY_CLIENT_KEY';
/**
 * Longer than the relay's own wait for an upstream's first byte (300 s) plus
 * its retry budget: the relay, which sees the upstream, decides when to give
 * up, and sends heartbeats while a stream is quiet.
 */
export const CODEX_STREAM_IDLE_TIMEOUT_MS = 600_000;
/** The relay already retries upstream failures and falls back; Codex adds a few tries on top. */
export const CODEX_REQUEST_MAX_RETRIES = 2;
export const CODEX_STREAM_MAX_RETRIES = 3;

export interface CodexSettingsToWrite {
  /** The relay's URL as Codex reaches it, ending in /v1. */
  baseUrl: string;
  envKey: string;
  /** The catalog slug Codex starts with. */
  model: string;
  catalogPath: string;
}

/** The root keys the relay owns in Codex's config, in the order they are written. */
export const OWNED_ROOT_KEYS = ['model', 'model_provider', 'model_catalog_json'] as const;
export type OwnedRootKey = (typeof OWNED_ROOT_KEYS)[number];

/** The values of the owned root keys. */
export function rootValues(settings: CodexSettingsToWrite): Record<OwnedRootKey, string> {
  return { model: settings.model, model_provider: CODEX_PROVIDER_ID, model_catalog_json: settings.catalogPath };
}

/** The provider table's keys and values, in the order they are written. */
export function providerTableValues(settings: CodexSettingsToWrite): Record<string, string | number | boolean> {
  return {
    name: 'responses-relay',
    base_url: settings.baseUrl,
    wire_api: 'responses',
    env_key: settings.envKey,
    env_key_instructions: `Set ${settings.envKey} to the relay's key (any value when the relay has none), e.g. export ${settings.envKey}=local`,
    request_max_retries: CODEX_REQUEST_MAX_RETRIES,
    stream_max_retries: CODEX_STREAM_MAX_RETRIES,
    stream_idle_timeout_ms: CODEX_STREAM_IDLE_TIMEOUT_MS,
    // Codex's own transport: one socket per session, only the new items each turn.
    supports_websockets: true,
  };
}

/** `key = value` with the value as TOML (strings quoted and escaped, numbers and booleans bare). */
export function tomlLine(key: string, value: string | number | boolean): string {
  return `${key} = ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

/** The `[model_providers.responses-relay]` table as text. */
export function renderProviderTable(settings: CodexSettingsToWrite): string {
  const lines = [
    `[model_providers.${CODEX_PROVIDER_ID}]`,
    '# Written by responses-relay; `responses-relay setup --undo` restores the previous config.',
    ...Object.entries(providerTableValues(settings)).map(([key, value]) => tomlLine(key, value)),
  ];
  return `${lines.join('\n')}\n`;
}

/** The whole fragment `print-config` prints. */
export function renderCodexFragment(settings: CodexSettingsToWrite): string {
  const root = Object.entries(rootValues(settings)).map(([key, value]) => tomlLine(key, value));
  return [
    '# Codex configuration for responses-relay: add to ~/.codex/config.toml (or run `responses-relay setup`).',
    `# Codex sends $${settings.envKey} to the relay as its key: export ${settings.envKey}=local (or the relay's key).`,
    ...root,
    '',
    renderProviderTable(settings),
  ].join('\n');
}

/** The relay's URL as a client on this machine reaches it (a wildcard address means loopback). */
export function relayBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  const shown = reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
  return `http://${shown}:${port}/v1`;
}
