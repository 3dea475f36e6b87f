/**
 * After a tool_search the model must learn the names it can now call. Codex
 * returns MCP tools grouped in a namespace; the model calls the flat names.
 */
import { describe, expect, it } from 'vitest';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';

function translate(input: unknown[], tools: unknown[] = []) {
  const { request, notes } = parseResponsesRequest({ model: 'm', input, tools });
  return buildChatRequest(request, genericProvider, 'm', notes).body;
}

describe('tool_search results', () => {
  it('name the flat function names the model can call next', () => {
    const body = translate(
      [
        { type: 'message', role: 'user', content: 'record t-1' },
        { type: 'tool_search_call', call_id: 'call_s', execution: 'client', arguments: { query: 'record' } },
        {
          type: 'tool_search_output',
          call_id: 'call_s',
          execution: 'client',
          tools: [
            {
              type: 'namespace',
              name: 'mcp__notes',
              description: 'Notes',
              tools: [
                { type: 'function', name: 'record_token', parameters: { type: 'object', properties: {} } },
                { type: 'function', name: 'list', parameters: { type: 'object', properties: {} } },
              ],
            },
            { type: 'function', name: 'plain_tool', parameters: { type: 'object', properties: {} } },
          ],
        },
      ],
      [{ type: 'tool_search', execution: 'client', description: 'Find tools' }],
    );
    const result = body.messages.find((message) => message.role === 'tool');
    expect(result).toEqual({
      role: 'tool',
      tool_call_id: 'call_s',
      content: 'Tools now available: mcp__notes__record_token, mcp__notes__list, plain_tool',
    });
    const names = (body.tools ?? []).map((tool) => tool.function.name);
    expect(names).toEqual(expect.arrayContaining(['mcp__notes__record_token', 'mcp__notes__list', 'plain_tool']));
  });

  it('says so when nothing was found', () => {
    const body = translate([
      { type: 'tool_search_call', call_id: 'call_s', execution: 'client', arguments: { query: 'x' } },
      { type: 'tool_search_output', call_id: 'call_s', execution: 'client', tools: [] },
    ]);
    expect(body.messages.find((message) => message.role === 'tool')).toMatchObject({
      content: 'No matching tools found.',
    });
  });
});
