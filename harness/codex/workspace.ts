/**
 * A throw-away Codex setup: a CODEX_HOME with config.toml and a model catalog
 * pointing Codex at a Responses endpoint, a HOME, and an empty project
 * directory. Nothing of the user's own Codex setup is read.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { buildModelCatalog, type CatalogOptions } from './model-catalog.js';

/** The variable Codex reads the provider key from (`env_key`). */
export const CODEX_KEY_VARIABLE = 'RESPONSES_RELAY_CODEX_KEY';
export const CODEX_PROVIDER_ID = 'relay';

export interface McpServerConfig {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  /** Codex waits for a required server to start and fails when it cannot. */
  required?: boolean;
}

export interface WorkspaceOptions {
  /** The Responses endpoint, ending in /v1 (Codex appends /responses). */
  baseUrl: string;
  catalog: CatalogOptions;
  /** Retry and timeout settings of the provider table; small values keep failures fast. */
  requestMaxRetries?: number;
  streamMaxRetries?: number;
  streamIdleTimeoutMs?: number;
  /** MCP servers, given directly or built from the project directory. */
  mcpServers?: Record<string, McpServerConfig> | ((project: string) => Record<string, McpServerConfig>);
  /** Extra top-level config.toml keys. */
  extraConfig?: Record<string, unknown>;
  /** `supports_websockets = true`: Codex talks to the relay over its WebSocket. */
  websocket?: boolean;
  /** The provider's `name`; "OpenAI" makes Codex use remote compaction. */
  providerName?: string;
}

export interface CodexWorkspace {
  root: string;
  codexHome: string;
  home: string;
  project: string;
  catalogPath: string;
  configPath: string;
  /** Removes everything. */
  remove(): void;
}

/** Creates the directories and writes config.toml and the catalog. */
export function createCodexWorkspace(options: WorkspaceOptions): CodexWorkspace {
  // realpath: Codex reports canonical paths, and the captures are normalised by them.
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'relay-codex-')));
  const codexHome = join(root, 'codex-home');
  const home = join(root, 'home');
  const project = join(root, 'project');
  for (const directory of [codexHome, home, project]) mkdirSync(directory, { recursive: true });

  const catalogPath = join(codexHome, 'model-catalog.json');
  writeFileSync(catalogPath, `${JSON.stringify(buildModelCatalog(options.catalog), null, 2)}\n`);

  const provider: Record<string, unknown> = {
    name: options.providerName ?? 'responses-relay',
    base_url: options.baseUrl,
    env_key: CODEX_KEY_VARIABLE,
    wire_api: 'responses',
  };
  if (options.requestMaxRetries !== undefined) provider.request_max_retries = options.requestMaxRetries;
  if (options.streamMaxRetries !== undefined) provider.stream_max_retries = options.streamMaxRetries;
  if (options.streamIdleTimeoutMs !== undefined) provider.stream_idle_timeout_ms = options.streamIdleTimeoutMs;
  if (options.websocket) provider.supports_websockets = true;

  const config: Record<string, unknown> = {
    model: options.catalog.slug,
    model_provider: CODEX_PROVIDER_ID,
    model_catalog_json: catalogPath,
    ...options.extraConfig,
    model_providers: { [CODEX_PROVIDER_ID]: provider },
  };
  if (options.mcpServers)
    config.mcp_servers = typeof options.mcpServers === 'function' ? options.mcpServers(project) : options.mcpServers;
  const configPath = join(codexHome, 'config.toml');
  writeFileSync(configPath, `${stringify(config)}\n`);

  return {
    root,
    codexHome,
    home,
    project,
    catalogPath,
    configPath,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
