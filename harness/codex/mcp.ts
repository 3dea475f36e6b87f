/** The test MCP server (a stdio server built with the official SDK) as Codex config. */
import { join } from 'node:path';
import { PROJECT_ROOT } from './versions.js';
import type { McpServerConfig } from './workspace.js';

/** The server's name in config.toml; Codex exposes its tools in the `mcp__relaytest` namespace. */
export const TEST_MCP_SERVER_NAME = 'relaytest';
export const TEST_MCP_TOOL = 'record_token';

/**
 * Config for the server; it writes `mcp-token.txt` into `directory` when its
 * tool runs. The server lives with the tests, where the SDK it is built with
 * is installed (tests/node_modules).
 */
export function testMcpServer(directory: string): McpServerConfig {
  return {
    command: process.execPath,
    args: [join(PROJECT_ROOT, 'tests', 'support', 'mcp', 'echo-mcp-server.mjs')],
    env: { RELAY_E2E_MCP_DIR: directory },
    // Codex otherwise starts the first turn without waiting for the server, and the
    // tool may be missing from the first request when the machine is busy.
    required: true,
  };
}
