/**
 * Anthropic Messages requests → Chat Completions requests, as pairs: what
 * Claude Code (or the SDK) sends, and exactly what the provider gets.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.js';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { genericProvider } from '../../src/providers/generic.js';
import { mistralProvider } from '../../src/providers/mistral.js';
import { PLAIN_THINKING_SIGNATURE } from '../../src/translate/anthropic/message-stream.js';
import { parseMessagesRequest } from '../../src/translate/anthropic/parse-messages-request.js';
import { encodeReasoningEnvelope } from '../../src/translate/reasoning-envelope.js';
import { chatRequestFor } from '../support/anthropic.js';
import { missingSharedMessage, sharedPath } from '../support/shared-material.js';

const BASH_TOOL = {
  name: 'Bash',
  description: 'Run a command',
  input_schema: { type: 'object', properties: { command: { type: 'string' } } },
  cache_control: { type: 'ephemeral' },
};
const PNG = 'iVBORw0KGgo=';

describe('Anthropic Messages request → Chat Completions', () => {
  it('system blocks, cache_control and metadata: one system message, nothing Chat does not know', () => {
    const chat = chatRequestFor({
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332.abc;' },
        { type: 'text', text: 'You are a careful engineer.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be brief.' },
      ],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] }],
      metadata: { user_id: 'u' },
      context_management: { edits: [] },
      stream: true,
    });
    expect(chat).toEqual({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'You are a careful engineer.\n\nBe brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 1024,
    });
  });

  it('thinking + tool use across several turns: DeepSeek gets every reasoning_content back', () => {
    const chat = chatRequestFor(
      {
        model: 'deepseek-v4-pro',
        tools: [BASH_TOOL],
        thinking: { type: 'adaptive' },
        output_config: { effort: 'high' },
        messages: [
          { role: 'user', content: 'List then count.' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'List first.', signature: PLAIN_THINKING_SIGNATURE },
              { type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'a\nb' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Now count.', signature: PLAIN_THINKING_SIGNATURE },
              { type: 'text', text: 'Counting.' },
              { type: 'tool_use', id: 'call_2', name: 'Bash', input: { command: 'ls | wc -l' } },
            ],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '2' }] }],
          },
        ],
      },
      deepseekProvider,
    );
    expect(chat.messages).toEqual([
      { role: 'user', content: 'List then count.' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'List first.',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a\nb' },
      {
        role: 'assistant',
        content: 'Counting.',
        reasoning_content: 'Now count.',
        tool_calls: [
          { id: 'call_2', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls | wc -l"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_2', content: '2' },
    ]);
    expect(chat.thinking).toEqual({ type: 'enabled' });
    expect(chat.reasoning_effort).toBe('high');
    expect(chat.tools).toEqual([
      {
        type: 'function',
        function: { name: 'Bash', description: 'Run a command', parameters: BASH_TOOL.input_schema },
      },
    ]);
  });

  it('opaque reasoning in a signature or redacted_thinking goes back as the provider’s field', () => {
    const details = [{ type: 'reasoning.encrypted', data: 'opaque', index: 0 }];
    const envelope = encodeReasoningEnvelope({ details })!;
    const { request } = parseMessagesRequest({
      model: 'm',
      messages: [
        { role: 'user', content: 'q' },
        {
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: envelope },
            { type: 'text', text: 'a' },
          ],
        },
      ],
    });
    expect(request.input[1]).toEqual({ type: 'reasoning', content: [], encrypted_content: envelope });
  });

  it('parallel tool use: one assistant message with both calls, then both results in order', () => {
    const chat = chatRequestFor({
      tools: [BASH_TOOL],
      messages: [
        { role: 'user', content: 'two' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'toolu_a', name: 'Bash', input: { command: 'a' } },
            { type: 'tool_use', id: 'toolu_b', name: 'Bash', input: { command: 'b' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_b', content: 'B' },
            { type: 'tool_result', tool_use_id: 'toolu_a', content: 'A', is_error: true },
            { type: 'text', text: 'go on' },
          ],
        },
      ],
    });
    expect(chat.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'toolu_a', type: 'function', function: { name: 'Bash', arguments: '{"command":"a"}' } },
          { id: 'toolu_b', type: 'function', function: { name: 'Bash', arguments: '{"command":"b"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_a', content: 'Error: A' },
      { role: 'tool', tool_call_id: 'toolu_b', content: 'B' },
      { role: 'user', content: 'go on' },
    ]);
  });

  it('Mistral’s tool-call id rules apply to Claude Code’s toolu_ ids', () => {
    const chat = chatRequestFor(
      {
        model: 'mistral-large-latest',
        tools: [BASH_TOOL],
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01ABCdef', name: 'Bash', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01ABCdef', content: 'ok' }] },
        ],
      },
      mistralProvider,
    );
    const callId = chat.messages[1].tool_calls[0].id as string;
    expect(callId).toMatch(/^[A-Za-z0-9]{9}$/);
    expect(chat.messages[2].tool_call_id).toBe(callId);
  });

  it('images: base64 and URL in user content and in tool results', () => {
    const chat = chatRequestFor({
      tools: [BASH_TOOL],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'text', text: 'what is this?' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'shot' } }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'screenshot' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
          ],
        },
      ],
    });
    expect(chat.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'auto' } },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'auto' } },
        { type: 'text', text: 'what is this?' },
      ],
    });
    // The generic profile takes no images inside tool messages: they follow as a user message.
    expect(chat.messages[2]).toEqual({
      role: 'tool',
      tool_call_id: 't1',
      content: 'screenshot\n(image output follows in the next message)',
    });
    expect(chat.messages[3]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Image output of tool call t1:' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: 'auto' } },
      ],
    });
  });

  it('tool_choice, stop_sequences, temperature and a thinking budget', () => {
    const parsed = parseMessagesRequest({
      model: 'm',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'x' }],
      tools: [BASH_TOOL, { type: 'web_search_20250305', name: 'web_search' }],
      tool_choice: { type: 'tool', name: 'Bash', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.2,
      thinking: { type: 'enabled', budget_tokens: 10_000 },
    });
    expect(parsed.request.tool_choice).toEqual({ type: 'function', name: 'Bash' });
    expect(parsed.request.parallel_tool_calls).toBe(false);
    expect(parsed.request.reasoning).toEqual({ effort: 'medium' });
    expect(parsed.request.tools.map((tool) => tool.name)).toEqual(['Bash']);
    expect(parsed.stopSequences).toEqual(['END']);
    expect(parsed.notes.some((note) => note.message.includes('web_search'))).toBe(true);
    expect(parseMessagesRequest({ model: 'm', messages: [], tool_choice: { type: 'any' } }).request.tool_choice).toBe(
      'required',
    );
    expect(
      parseMessagesRequest({ model: 'm', messages: [], thinking: { type: 'disabled' } }).request.reasoning,
    ).toEqual({ effort: 'none' });
  });

  it('malformed bodies are 400s naming the field', () => {
    const refuse = (body: unknown) => {
      try {
        parseMessagesRequest(body);
      } catch (error) {
        expect(error).toBeInstanceOf(RelayError);
        return `${(error as RelayError).status} ${(error as RelayError).message}`;
      }
      return 'accepted';
    };
    expect(refuse([])).toBe('400 The request body must be a JSON object.');
    expect(refuse({ messages: [] })).toBe("400 Missing required parameter: 'model'.");
    expect(refuse({ model: 'm', messages: 'hi' })).toMatch(/^400 Invalid type for 'messages'/);
    expect(refuse({ model: 'm', messages: [{ role: 'robot', content: 'x' }] })).toMatch(/^400 .*messages\[0\]\.role/);
    expect(refuse({ model: 'm', messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] })).toBe(
      "400 Missing required parameter: 'messages[0].content[0].tool_use_id'.",
    );
    expect(
      refuse({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64' } }] }] }),
    ).toMatch(/^400 .*messages\[0\]\.content\[0\]\.source/);
    expect(refuse({ model: 'm', messages: [], tool_choice: { type: 'tool' } })).toMatch(/^400 tool_choice\.name/);
  });

  const recorded = sharedPath('claude-wire', '2.1.332', 'tool', 'req2.json');
  it.skipIf(missingSharedMessage(recorded) !== undefined)(
    `Claude Code 2.1's real request (${missingSharedMessage(recorded) ?? 'recorded'})`,
    () => {
      const { body } = JSON.parse(readFileSync(recorded, 'utf8')) as { body: Record<string, unknown> };
      const chat = chatRequestFor({ ...body, model: 'deepseek-v4-pro' }, deepseekProvider);
      const roles = (chat.messages as Array<{ role: string }>).map((message) => message.role);
      expect(roles).toEqual(['system', 'user', 'system', 'assistant', 'tool']);
      expect(chat.messages[0].content).not.toContain('x-anthropic-billing-header');
      expect(chat.messages[3]).toMatchObject({
        reasoning_content: 'I should run the command.',
        tool_calls: [{ id: 'toolu_01', function: { name: 'Bash' } }],
      });
      expect(chat.messages[4]).toEqual({ role: 'tool', tool_call_id: 'toolu_01', content: 'relay-ok' });
      expect((chat.tools as Array<{ function: { name: string } }>).map((tool) => tool.function.name)).toContain('Bash');
      expect(chat.max_tokens).toBe(128000);
      expect(chatRequestFor({ ...body, model: 'x' }, genericProvider).reasoning_effort).toBe('medium');
    },
  );
});
