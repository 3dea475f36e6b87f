/**
 * Property-based fuzz of the two new request translators: whatever a client
 * sends, the result is a translated request or a 400 RelayError naming the
 * problem, never any other exception (which would be a 500).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.js';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { genericProvider } from '../../src/providers/generic.js';
import { mistralProvider } from '../../src/providers/mistral.js';
import { parseMessagesRequest } from '../../src/translate/anthropic/parse-messages-request.js';
import { buildPassthroughRequest, parseChatRequest } from '../../src/translate/chat/passthrough-request.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';

const PROFILES = [genericProvider, deepseekProvider, mistralProvider];
const json = fc.jsonValue({ maxDepth: 3 });

const block = fc.oneof(
  json,
  fc.record(
    {
      type: fc.constantFrom(
        'text',
        'image',
        'tool_use',
        'tool_result',
        'thinking',
        'redacted_thinking',
        'document',
        'other',
      ),
      text: json,
      source: json,
      id: json,
      name: json,
      input: json,
      tool_use_id: json,
      content: json,
      thinking: json,
      signature: json,
      data: json,
    },
    { requiredKeys: ['type'] },
  ),
);
const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('user', 'assistant', 'system'), json),
    content: fc.oneof(fc.string(), fc.array(block, { maxLength: 4 }), json),
  },
  { requiredKeys: [] },
);
const messagesBody = fc.record(
  {
    model: fc.oneof(fc.constant('m'), json),
    messages: fc.oneof(fc.array(message, { maxLength: 4 }), json),
    system: fc.oneof(fc.string(), fc.array(block, { maxLength: 2 }), json),
    tools: fc.oneof(
      fc.array(
        fc.record(
          { name: fc.oneof(fc.string({ minLength: 1, maxLength: 70 }), json), input_schema: json, type: json },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      json,
    ),
    tool_choice: fc.oneof(
      fc.record({ type: fc.constantFrom('auto', 'any', 'tool', 'none', 'x'), name: json }, { requiredKeys: ['type'] }),
      json,
    ),
    thinking: fc.oneof(
      fc.record(
        { type: fc.constantFrom('enabled', 'disabled', 'adaptive'), budget_tokens: json },
        { requiredKeys: ['type'] },
      ),
      json,
    ),
    max_tokens: json,
    stop_sequences: json,
  },
  { requiredKeys: [] },
);

function expectTranslatedOr400(translate: () => void): void {
  try {
    translate();
  } catch (error) {
    expect(error).toBeInstanceOf(RelayError);
    expect((error as RelayError).status).toBe(400);
  }
}

describe('request fuzz', () => {
  it('Anthropic Messages bodies: translated for every profile, or a 400', () => {
    fc.assert(
      fc.property(messagesBody, (body) => {
        expectTranslatedOr400(() => {
          const { request, notes } = parseMessagesRequest(body);
          for (const profile of PROFILES) buildChatRequest(request, profile, request.model, [...notes]);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('Chat Completions bodies: passed through for every profile, or a 400', () => {
    const chatMessage = fc.record(
      {
        role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), json),
        content: json,
        tool_calls: json,
        tool_call_id: json,
        reasoning_content: json,
      },
      { requiredKeys: ['role'] },
    );
    const chatBody = fc.record(
      {
        model: fc.oneof(fc.constant('m'), json),
        messages: fc.oneof(fc.array(chatMessage, { maxLength: 4 }), json),
        tools: json,
        stream: json,
        reasoning_effort: json,
        n: json,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(chatBody, (body) => {
        expectTranslatedOr400(() => {
          const client = parseChatRequest(body);
          for (const profile of PROFILES) buildPassthroughRequest(client, profile, client.body.model);
        });
      }),
      { numRuns: 400 },
    );
  });
});
