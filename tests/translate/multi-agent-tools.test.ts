/**
 * Codex multi-agent tools both ways: the `collaboration` namespace (v2, its
 * `message` parameters marked `encrypted`), the reserved `functions`
 * namespace, and `agent_message` items between agents. Tool shapes are those
 * Codex 0.171.0 sends with `multi_agent_v2` on.
 */
import { describe, expect, it } from 'vitest';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { finishChunk, toolCallChunks } from '../support/mock-upstream.js';
import { runChunks, translatorFor } from '../support/translator.js';

const COLLABORATION = {
  type: 'namespace',
  name: 'collaboration',
  description: 'Tools for spawning and managing sub-agents.',
  tools: [
    {
      type: 'function',
      name: 'spawn_agent',
      description: 'Spawns an agent to work on the specified task.',
      strict: false,
      parameters: {
        type: 'object',
        properties: {
          fork_turns: { type: 'string', description: 'Parent history to inherit.' },
          message: { type: 'string', description: 'Initial plain-text task for the new agent.', encrypted: true },
          task_name: { type: 'string', description: 'Task name for the new agent.' },
        },
        required: ['task_name', 'message'],
        additionalProperties: false,
      },
    },
    {
      type: 'function',
      name: 'wait_agent',
      description: 'Wait for agents.',
      strict: false,
      parameters: {
        type: 'object',
        properties: { timeout_ms: { type: 'number', description: 'Timeout in milliseconds.' } },
        additionalProperties: false,
      },
    },
  ],
};

const FUNCTIONS = {
  type: 'namespace',
  name: 'functions',
  description: 'Top-level tools.',
  tools: [
    { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
  ],
};

function chatBody(body: Record<string, unknown>): Record<string, any> {
  const { request, notes } = parseResponsesRequest({ model: 'm', ...body });
  return buildChatRequest(request, genericProvider, 'upstream-m', notes).body as Record<string, any>;
}

describe('the collaboration namespace (multi-agent v2)', () => {
  it('offers flat names and leaves the `encrypted` marker out of the schema', () => {
    const body = chatBody({ input: 'hi', tools: [COLLABORATION] });
    const spawn = body.tools.find((tool: any) => tool.function.name === 'collaboration__spawn_agent');
    expect(spawn.function.parameters.properties.message).toEqual({
      type: 'string',
      description: 'Initial plain-text task for the new agent.',
    });
    expect(spawn.function.parameters.required).toEqual(['task_name', 'message']);
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual([
      'collaboration__spawn_agent',
      'collaboration__wait_agent',
    ]);
  });

  it('returns a call with namespace and bare name, its arguments marked plain text', () => {
    const { translator } = translatorFor({ tools: [COLLABORATION] });
    const args = '{"task_name":"writer","message":"Write the file.","fork_turns":"none"}';
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_spawn', 'collaboration__spawn_agent', args),
      finishChunk('tool_calls'),
    ]);
    expect((events.at(-1)!.response as any).output).toEqual([
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_spawn',
        name: 'spawn_agent',
        namespace: 'collaboration',
        arguments: args,
        encrypted_function_args: [],
        status: 'completed',
      },
    ]);
  });

  it('marks only tools with encrypted parameters', () => {
    const { translator } = translatorFor({ tools: [COLLABORATION] });
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_wait', 'collaboration__wait_agent', '{"timeout_ms":10000}'),
      finishChunk('tool_calls'),
    ]);
    expect((events.at(-1)!.response as any).output[0]).not.toHaveProperty('encrypted_function_args');
  });

  it('takes the call back from history under the same flat name', () => {
    const body = chatBody({
      tools: [COLLABORATION],
      input: [
        { role: 'user', content: 'delegate' },
        {
          type: 'function_call',
          call_id: 'call_spawn',
          name: 'spawn_agent',
          namespace: 'collaboration',
          arguments: '{"task_name":"writer","message":"m"}',
          encrypted_function_args: [],
        },
        { type: 'function_call_output', call_id: 'call_spawn', output: '{"task_name":"/root/writer"}' },
      ],
    });
    expect(body.messages[1].tool_calls[0].function.name).toBe('collaboration__spawn_agent');
    expect(body.messages[2]).toEqual({
      role: 'tool',
      tool_call_id: 'call_spawn',
      content: '{"task_name":"/root/writer"}',
    });
  });
});

describe('the reserved functions namespace', () => {
  it('offers its tools by their bare names and routes calls back without a namespace', () => {
    const { translator, chatBody: body } = translatorFor({ tools: [FUNCTIONS] });
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual(['exec_command']);
    const events = runChunks(translator, [
      ...toolCallChunks(0, 'call_e', 'exec_command', '{"cmd":"ls"}'),
      finishChunk('tool_calls'),
    ]);
    const call = (events.at(-1)!.response as any).output[0];
    expect(call).toMatchObject({ type: 'function_call', name: 'exec_command' });
    expect(call).not.toHaveProperty('namespace');
  });

  it('maps a history call in the functions namespace to the bare name', () => {
    const body = chatBody({
      tools: [FUNCTIONS],
      input: [
        {
          type: 'function_call',
          call_id: 'c1',
          name: 'exec_command',
          namespace: 'functions',
          arguments: '{"cmd":"ls"}',
        },
        { type: 'function_call_output', call_id: 'c1', output: 'a.md' },
      ],
    });
    expect(body.messages[0].tool_calls[0].function.name).toBe('exec_command');
  });
});

describe('agent_message items', () => {
  it('reach the model as user text, plain or labelled encrypted', () => {
    const body = chatBody({
      input: [
        {
          type: 'agent_message',
          author: '/root',
          recipient: '/root/writer',
          content: [
            {
              type: 'input_text',
              text: 'Message Type: NEW_TASK\nTask name: /root/writer\nSender: /root\nPayload:\nWrite the file.',
            },
          ],
        },
        {
          type: 'agent_message',
          author: '/root',
          recipient: '/root/writer',
          content: [
            { type: 'input_text', text: 'Message Type: MESSAGE\nPayload:\n' },
            { type: 'encrypted_content', encrypted_content: 'Also add a heading.' },
          ],
        },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: 'Message Type: NEW_TASK\nTask name: /root/writer\nSender: /root\nPayload:\nWrite the file.',
      },
      { role: 'user', content: 'Message Type: MESSAGE\nPayload:\n\nAlso add a heading.' },
    ]);
  });

  it('refuses a malformed agent_message with a 400 naming the item', () => {
    expect(() => chatBody({ input: [{ type: 'agent_message', content: [{ type: 'encrypted_content' }] }] })).toThrow(
      /input\[0\]/,
    );
  });
});
