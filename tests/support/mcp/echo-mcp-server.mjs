#!/usr/bin/env node
// A tiny stdio MCP server for the Codex end-to-end tests, built with the
// official SDK. Plain JavaScript because Codex starts it directly with node.
//
// Tool `record_token`: writes the token to `mcp-token.txt` in the directory
// given by RELAY_E2E_MCP_DIR (proof on disk that Codex ran it) and returns
// "mcp recorded <token>" (proof in the conversation that the result came back).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'relay-e2e', version: '1.0.0' });

server.registerTool(
  'record_token',
  {
    description: 'Records a token in the project and confirms it.',
    inputSchema: { token: z.string().describe('The token to record') },
  },
  async ({ token }) => {
    const directory = process.env.RELAY_E2E_MCP_DIR;
    if (directory) writeFileSync(join(directory, 'mcp-token.txt'), token);
    return { content: [{ type: 'text', text: `mcp recorded ${token}` }] };
  },
);

await server.connect(new StdioServerTransport());
