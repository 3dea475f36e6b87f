/**
 * An MCP tool end to end: Codex starts the test stdio MCP server, offers its
 * tool in the `mcp__relaytest` namespace (directly, or behind tool_search in
 * newer releases), the model calls the flattened name, the relay maps it back
 * to the namespace and the bare name, and Codex runs the tool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chatAnswer, fragmentArguments } from '../../support/scripted-upstream.js';
import type { E2EScenario } from '../harness.js';
import { assistantToolCallMessages, messages, toolNames, toolResults } from './chat-reading.js';

/** The name the relay gives the MCP tool: namespace and tool name joined. */
const MCP_FUNCTION = 'mcp__relaytest__record_token';
const TOKEN = 'e2e-token-7';

export const mcpTool: E2EScenario = {
  id: 'mcp-tool',
  title: 'MCP tool called through its namespace',
  prompt: `Record the token ${TOKEN} with the MCP tool`,
  mcp: true,
  script: (request) => {
    const body = request.body;
    const results = toolResults(body);
    const recorded = results.get('call_mcp_1');
    if (recorded !== undefined)
      return chatAnswer({
        text: recorded.includes(`mcp recorded ${TOKEN}`) ? 'token recorded' : `unexpected tool result: ${recorded}`,
      });
    const callMcp = () =>
      chatAnswer({
        toolCalls: [{ id: 'call_mcp_1', name: MCP_FUNCTION, argumentPieces: fragmentArguments({ token: TOKEN }) }],
      });
    // Like a model: after a search, call what the search result names (and the tool list offers).
    const found = results.get('call_search_1');
    if (found !== undefined) {
      return found.split(/[\s,:]+/).includes(MCP_FUNCTION) && toolNames(body).includes(MCP_FUNCTION)
        ? callMcp()
        : chatAnswer({ text: `the search did not offer the tool: ${found}` });
    }
    // Use the tool when it is offered up front, otherwise search for it.
    if (toolNames(body).includes(MCP_FUNCTION)) return callMcp();
    if (toolNames(body).includes('tool_search')) {
      return chatAnswer({
        toolCalls: [
          {
            id: 'call_search_1',
            name: 'tool_search',
            argumentPieces: fragmentArguments({ query: 'record token', limit: 8 }),
          },
        ],
      });
    }
    return chatAnswer({ text: 'the MCP tool was never offered' });
  },
  verify: ({ run, bodies, workspace, transcript }) => {
    // Codex ran the server's tool: the server wrote its proof into the project.
    expect(readFileSync(join(workspace.project, 'mcp-token.txt'), 'utf8'), transcript).toBe(TOKEN);
    const last = bodies.at(-1)!;
    expect(toolResults(last).get('call_mcp_1')).toContain(`mcp recorded ${TOKEN}`);
    const call = assistantToolCallMessages(last)
      .flatMap((message) => message.tool_calls)
      .find((candidate: any) => candidate.id === 'call_mcp_1');
    expect(call.function.name).toBe(MCP_FUNCTION);
    expect(messages(last).length).toBeGreaterThan(0);
    expect(run.lastMessage?.trim(), transcript).toBe('token recorded');
  },
};
