/** Responses request → Chat Completions request, as input/expected pairs. */
import { describe, expect, it } from 'vitest';
import { defineProvider } from '../../src/providers/define-provider.js';
import { genericProvider } from '../../src/providers/generic.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { encodeReasoningEnvelope } from '../../src/translate/reasoning-envelope.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { MISSING_TOOL_OUTPUT } from '../../src/translate/request/convert-input.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';

function translate(body: Record<string, unknown>, profile: ProviderProfile = genericProvider) {
  const { request, notes } = parseResponsesRequest({ model: 'm', ...body });
  const built = buildChatRequest(request, profile, 'upstream-m', notes);
  return { body: built.body as Record<string, any>, notes: built.notes };
}

const IMAGE = 'data:image/png;base64,iVBORw0KGgo=';

describe('system and developer messages', () => {
  it('keeps instructions and every developer/system message, in order', () => {
    const { body } = translate({
      instructions: 'base',
      input: [
        {
          type: 'message',
          role: 'developer',
          content: [
            { type: 'input_text', text: 'perm' },
            { type: 'input_text', text: 'skills' },
          ],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] },
        { type: 'message', role: 'system', content: 'mid' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'base' },
      { role: 'system', content: 'perm\n\nskills' },
      { role: 'user', content: 'hi' },
      { role: 'system', content: 'mid' },
    ]);
  });

  it('joins leading system messages and passes later ones as user text where the template needs one system message', () => {
    const strict = defineProvider({ id: 'strict', displayName: 'Strict', systemMessagesAnywhere: false });
    const { body } = translate(
      {
        instructions: 'a',
        input: [
          { role: 'developer', content: 'b' },
          { role: 'user', content: 'hi' },
          { role: 'developer', content: 'c' },
        ],
      },
      strict,
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'a\n\nb' },
      { role: 'user', content: 'hi' },
      { role: 'user', content: '[System message]\nc' },
    ]);
  });
});

describe('user content', () => {
  it('turns a string input into one user message', () => {
    expect(translate({ input: 'hello' }).body.messages).toEqual([{ role: 'user', content: 'hello' }]);
  });

  it('maps input_image to image_url parts, keeping detail', () => {
    const { body } = translate({
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: IMAGE, detail: 'low' },
          ],
        },
      ],
    });
    expect(body.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } },
      ],
    });
  });

  it('replaces images with a note for models without image input', () => {
    const textOnly = defineProvider({ id: 'text', displayName: 'Text', images: false });
    const { body } = translate(
      { input: [{ role: 'user', content: [{ type: 'input_image', image_url: IMAGE }] }] },
      textOnly,
    );
    expect(body.messages[0].content).toContain('does not accept images');
  });
});

describe('tool calls in history', () => {
  it('puts assistant text and all tool calls of a turn in one message, each result right after', () => {
    const { body } = translate({
      input: [
        { role: 'user', content: 'go' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running both.' }] },
        { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{"cmd":"a"}' },
        { type: 'function_call', call_id: 'c2', name: 'exec_command', arguments: '{"cmd":"b"}' },
        { type: 'function_call_output', call_id: 'c2', output: 'B' },
        { type: 'function_call_output', call_id: 'c1', output: 'A' },
      ],
    });
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Running both.',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"a"}' } },
          { id: 'c2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"b"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'A' },
      { role: 'tool', tool_call_id: 'c2', content: 'B' },
    ]);
  });

  it('gives aborted calls a result and turns results without a call into user text', () => {
    const { body } = translate({
      input: [
        { type: 'function_call', call_id: 'lost', name: 'exec_command', arguments: '{}' },
        { role: 'user', content: 'stop' },
        { type: 'function_call_output', call_id: 'ghost', output: 'orphan' },
      ],
    });
    expect(body.messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'lost', type: 'function', function: { name: 'exec_command', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'lost', content: MISSING_TOOL_OUTPUT },
      { role: 'user', content: 'stop' },
      { role: 'user', content: 'Output of tool call ghost:\norphan' },
    ]);
  });

  it('finds a result that arrives after an intervening message', () => {
    const { body } = translate({
      input: [
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { role: 'user', content: 'meanwhile' },
        { type: 'function_call_output', call_id: 'c1', output: 'late' },
      ],
    });
    expect(body.messages.map((message: any) => message.role)).toEqual(['assistant', 'tool', 'user']);
    expect(body.messages[1].content).toBe('late');
  });

  it('repairs empty and non-JSON arguments so strict upstreams accept them', () => {
    const { body } = translate({
      input: [
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '' },
        { type: 'function_call', call_id: 'c2', name: 'f', arguments: 'not json' },
        { type: 'function_call_output', call_id: 'c1', output: 'x' },
        { type: 'function_call_output', call_id: 'c2', output: 'y' },
      ],
    });
    expect(body.messages[0].tool_calls.map((call: any) => call.function.arguments)).toEqual([
      '{}',
      '{"raw":"not json"}',
    ]);
  });

  it('sends image tool results as a user message after the tool messages', () => {
    const { body } = translate({
      input: [
        { type: 'function_call', call_id: 'v1', name: 'view_image', arguments: '{"path":"p.png"}' },
        {
          type: 'function_call_output',
          call_id: 'v1',
          output: [{ type: 'input_image', image_url: IMAGE, detail: 'original' }],
        },
      ],
    });
    expect(body.messages.slice(1)).toEqual([
      { role: 'tool', tool_call_id: 'v1', content: '(image output follows in the next message)' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Image output of tool call v1:' },
          { type: 'image_url', image_url: { url: IMAGE, detail: 'high' } },
        ],
      },
    ]);
  });

  it('keeps image tool results inside the tool message where the upstream accepts that', () => {
    const inline = defineProvider({ id: 'inline', displayName: 'Inline', imagesInToolResults: true });
    const { body } = translate(
      {
        input: [
          { type: 'function_call', call_id: 'v1', name: 'view_image', arguments: '{}' },
          {
            type: 'function_call_output',
            call_id: 'v1',
            output: [
              { type: 'input_text', text: 'img:' },
              { type: 'input_image', image_url: IMAGE },
            ],
          },
        ],
      },
      inline,
    );
    expect(body.messages[1]).toEqual({
      role: 'tool',
      tool_call_id: 'v1',
      content: [
        { type: 'text', text: 'img:' },
        { type: 'image_url', image_url: { url: IMAGE } },
      ],
    });
  });

  it('maps custom tool calls and namespace calls from history', () => {
    const { body } = translate({
      input: [
        { type: 'custom_tool_call', call_id: 'p1', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' },
        { type: 'custom_tool_call_output', call_id: 'p1', output: 'Done' },
        { type: 'function_call', call_id: 'm1', name: 'search', namespace: 'mcp__docs__', arguments: '{"q":"x"}' },
        { type: 'function_call_output', call_id: 'm1', output: 'found' },
      ],
    });
    expect(body.messages[0].tool_calls[0].function).toEqual({
      name: 'apply_patch',
      arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}',
    });
    expect(body.messages[2].tool_calls[0].function.name).toBe('mcp__docs__search');
  });

  it('turns hosted tool calls into short text so the context is kept', () => {
    const { body } = translate({
      input: [
        { role: 'user', content: 'news?' },
        { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'latest news' } },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Here.' }] },
      ],
    });
    expect(body.messages[1]).toEqual({ role: 'assistant', content: '[searched the web for: latest news]Here.' });
  });
});

describe('reasoning round trip', () => {
  it('puts reasoning text on the following assistant message (DeepSeek/Kimi style by default)', () => {
    const { body } = translate({
      input: [
        { role: 'user', content: 'go' },
        {
          type: 'reasoning',
          id: 'rs_1',
          summary: [{ type: 'summary_text', text: 'summary' }],
          content: [{ type: 'reasoning_text', text: 'exact reasoning' }],
          encrypted_content: null,
        },
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'ok' },
      ],
    });
    expect(body.messages[1].reasoning_content).toBe('exact reasoning');
  });

  it('falls back to the summary when content was dropped, and hands opaque data to the provider hook', () => {
    let received: unknown;
    const capturing = defineProvider({
      id: 'capture',
      displayName: 'Capture',
      hooks: {
        echoReasoning(message, reasoning) {
          received = reasoning;
          message.reasoning_details = reasoning.details;
        },
      },
    });
    const envelope = encodeReasoningEnvelope({ details: [{ type: 'reasoning.text', text: 't', signature: 's' }] });
    const { body } = translate(
      {
        input: [
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'from summary' }], encrypted_content: envelope },
          { type: 'message', role: 'assistant', content: 'answer' },
        ],
      },
      capturing,
    );
    expect(received).toEqual({
      text: 'from summary',
      details: [{ type: 'reasoning.text', text: 't', signature: 's' }],
    });
    expect(body.messages[0].reasoning_details).toEqual([{ type: 'reasoning.text', text: 't', signature: 's' }]);
  });

  it('ignores encrypted content it did not write', () => {
    const { body } = translate({
      input: [
        { type: 'reasoning', summary: [], encrypted_content: 'gAAAAB-openai-opaque' },
        { type: 'message', role: 'assistant', content: 'a' },
      ],
    });
    expect(body.messages[0]).toEqual({ role: 'assistant', content: 'a' });
  });
});

describe('tools', () => {
  it('maps function, custom, namespace and tool_search tools and drops hosted ones', () => {
    const { body, notes } = translate({
      input: 'x',
      tools: [
        {
          type: 'function',
          name: 'exec_command',
          description: 'Run',
          strict: false,
          parameters: { type: 'object', properties: {} },
        },
        {
          type: 'custom',
          name: 'apply_patch',
          description: 'Patch',
          format: { type: 'grammar', syntax: 'lark', definition: 'start: x' },
        },
        {
          type: 'namespace',
          name: 'multi_agent_v1',
          description: 'Agents',
          tools: [{ type: 'function', name: 'spawn_agent', parameters: { type: 'object' } }],
        },
        {
          type: 'tool_search',
          execution: 'client',
          description: 'Search tools',
          parameters: { type: 'object', properties: { query: { type: 'string' } } },
        },
        { type: 'web_search', external_web_access: true },
      ],
    });
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual([
      'exec_command',
      'apply_patch',
      'multi_agent_v1__spawn_agent',
      'tool_search',
    ]);
    expect(body.tools[0].function).toEqual({
      name: 'exec_command',
      description: 'Run',
      parameters: { type: 'object', properties: {} },
    });
    expect(body.tools[1].function.parameters).toEqual({
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input for this tool.' } },
      required: ['input'],
      additionalProperties: false,
    });
    expect(body.tools[1].function.description).toContain('start: x');
    expect(body.tools[2].function.description).toContain('multi_agent_v1: Agents');
    expect(notes).toContainEqual({
      level: 'debug',
      message: "dropped hosted tool 'web_search' the upstream cannot run",
    });
  });

  it('adds tools returned by tool_search and additional_tools items to the tool list', () => {
    const { body } = translate({
      tools: [{ type: 'tool_search', execution: 'client' }],
      input: [
        { type: 'tool_search_call', call_id: 's1', execution: 'client', arguments: { query: 'cal' } },
        {
          type: 'tool_search_output',
          call_id: 's1',
          execution: 'client',
          tools: [{ type: 'function', name: 'calendar_add', parameters: { type: 'object' } }],
        },
        {
          type: 'additional_tools',
          role: 'developer',
          tools: [
            {
              type: 'namespace',
              name: 'mcp__mail__',
              description: 'Mail',
              tools: [{ type: 'function', name: 'send' }],
            },
          ],
        },
      ],
    });
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual([
      'tool_search',
      'calendar_add',
      'mcp__mail__send',
    ]);
    expect(body.messages[0].tool_calls[0].function).toEqual({ name: 'tool_search', arguments: '{"query":"cal"}' });
    expect(body.messages[1]).toEqual({
      role: 'tool',
      tool_call_id: 's1',
      content: 'Tools now available: calendar_add',
    });
  });

  it('flattens long or unusual namespace names to unique valid names of at most 64 characters', () => {
    const long = 'mcp__a_very_long_server_name_that_goes_on_and_on_and_on__';
    const { body } = translate({
      tools: [
        {
          type: 'namespace',
          name: long,
          description: '',
          tools: [
            { type: 'function', name: 'tool.with.dots' },
            { type: 'function', name: 'tool_with_dots' },
          ],
        },
      ],
    });
    const names = body.tools.map((tool: any) => tool.function.name);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('maps tool_choice forms', () => {
    const tools = [
      { type: 'function', name: 'f' },
      { type: 'function', name: 'g' },
    ];
    expect(translate({ tools, tool_choice: 'required' }).body.tool_choice).toBe('required');
    expect(translate({ tools, tool_choice: { type: 'function', name: 'g' } }).body.tool_choice).toEqual({
      type: 'function',
      function: { name: 'g' },
    });
    const allowed = translate({
      tools,
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'f' }] },
    }).body;
    expect(allowed.tool_choice).toBe('required');
    expect(allowed.tools.map((tool: any) => tool.function.name)).toEqual(['f']);
    expect(translate({ tools: [], tool_choice: 'auto' }).body.tool_choice).toBeUndefined();
  });
});

describe('parameters', () => {
  it('maps sampling, limits, effort and output format, and leaves Codex-only fields behind', () => {
    const { body } = translate({
      input: 'x',
      tools: [{ type: 'function', name: 'f' }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      reasoning: { effort: 'high', summary: 'auto' },
      max_output_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      text: {
        verbosity: 'low',
        format: { type: 'json_schema', name: 'out', strict: true, schema: { type: 'object' } },
      },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: 'thread',
      client_metadata: { thread_id: 't' },
      service_tier: 'priority',
    });
    expect(body).toEqual({
      model: 'upstream-m',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      reasoning_effort: 'high',
    });
  });

  it('fits the effort to the levels a model accepts', () => {
    expect(translate({ reasoning: { effort: 'xhigh' } }).body.reasoning_effort).toBe('high');
    expect(translate({ reasoning: { effort: 'minimal' } }).body.reasoning_effort).toBe('low');
    expect(translate({ reasoning: { effort: 'none' } }).body.reasoning_effort).toBeUndefined();
  });

  it("uses the profile's max-token parameter name", () => {
    const modern = defineProvider({
      id: 'modern',
      displayName: 'Modern',
      maxTokensParameter: 'max_completion_tokens',
      acceptsStreamOptions: false,
    });
    const { body } = translate({ max_output_tokens: 64 }, modern);
    expect(body.max_completion_tokens).toBe(64);
    expect(body.max_tokens).toBeUndefined();
    expect(body.stream_options).toBeUndefined();
  });
});

describe('unknown and malformed input', () => {
  it('skips unknown item types with a warning note', () => {
    const { body, notes } = translate({
      input: [
        { type: 'future_item', data: 1 },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
    expect(notes).toContainEqual({
      level: 'warn',
      message: "skipped input item of unknown type 'future_item' at input[0]",
    });
  });

  it.each([
    [{}, "Missing required parameter: 'model'."],
    [{ model: 5 }, "Invalid type for 'model': expected a string, but got an integer instead."],
    [{ model: 'm', input: 7 }, "Invalid type for 'input': expected a string or an array, but got an integer instead."],
    [
      { model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] },
      "Missing required parameter: 'input[0].call_id'.",
    ],
    [
      { model: 'm', input: [{ type: 'function_call_output', call_id: 'c', output: 3 }] },
      "Invalid type for 'input[0].output': expected a string or an array, but got an integer instead.",
    ],
    [{ model: 'm', input: [{ role: 'wizard', content: 'x' }] }, "Invalid value for 'input[0].role'"],
    [{ model: 'm', tools: [{ type: 'function' }] }, "Missing required parameter: 'tools[0].name'."],
    [
      { model: 'm', temperature: 'hot' },
      "Invalid type for 'temperature': expected a number, but got a string instead.",
    ],
    [{ model: 'm', input: [{ content: 'no role or type' }] }, "Missing required parameter: 'input[0].type'."],
  ])('rejects %j with a 400 naming the parameter', (body, message) => {
    let thrown: any;
    try {
      parseResponsesRequest(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown?.status).toBe(400);
    expect(thrown?.message).toContain(message);
  });

  it('rejects a body that is not an object', () => {
    expect(() => parseResponsesRequest([1, 2])).toThrow('The request body must be a JSON object.');
  });
});
