/**
 * Mistral (api.mistral.ai). Strict about shapes:
 * - unknown request or message fields are a 422 (`extra_forbidden`), and
 *   `stream_options` is one of them, so only documented fields are sent;
 * - tool-call ids must be exactly 9 characters of [a-zA-Z0-9]: ids from
 *   elsewhere are mapped to such ids deterministically, without state, and
 *   Mistral's own ids go through unchanged both ways;
 * - a `user` (or `system`) message may not follow a `tool` message: an
 *   assistant message is put between them;
 * - reasoning streams as `thinking` content chunks and goes back the same
 *   way; a `reasoning_content` field is a 422.
 */
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../translate/chat-types.js';
import type { ReasoningEffort } from '../translate/request/responses-schema.js';
import { readThinkingPart } from './chunk-extensions.js';
import { defineProvider } from './define-provider.js';
import { keepMessageFields, type MessageFieldRules } from './request-shaping.js';

const REQUEST_FIELDS = [
  'model',
  'messages',
  'stream',
  'temperature',
  'top_p',
  'max_tokens',
  'stop',
  'random_seed',
  'response_format',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'presence_penalty',
  'frequency_penalty',
  'n',
  'prediction',
  'prompt_mode',
  'safe_prompt',
  'reasoning_effort',
] as const;

const MESSAGE_FIELDS: MessageFieldRules = {
  system: ['role', 'content'],
  user: ['role', 'content'],
  assistant: ['role', 'content', 'tool_calls', 'prefix'],
  tool: ['role', 'content', 'tool_call_id', 'name'],
};
const TOOL_CALL_FIELDS = ['id', 'type', 'function', 'index'] as const;

/** Text of the assistant message put between tool results and the next user message. */
export const TOOL_RESULTS_BRIDGE = 'Tool results received.';

const ON_OFF: ReasoningEffort[] = ['none', 'high'];

/** The Mistral profile (`--provider mistral`). */
export const mistralProvider = defineProvider({
  id: 'mistral',
  displayName: 'Mistral',
  defaultBaseUrl: 'https://api.mistral.ai/v1',
  apiKeyEnv: 'MISTRAL_API_KEY',
  maxTokensParameter: 'max_tokens',
  acceptsStreamOptions: false,
  allowedRequestFields: REQUEST_FIELDS,
  images: true,
  reasoningEfforts: [],
  models: [
    { id: 'mistral-large-latest', contextWindow: 262_144, images: true, reasoningEfforts: [] },
    { id: 'mistral-medium-latest', contextWindow: 131_072, images: true, reasoningEfforts: [] },
    {
      id: 'mistral-medium-3-5',
      contextWindow: 262_144,
      images: true,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
    },
    {
      id: 'mistral-small-latest',
      contextWindow: 262_144,
      images: true,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
    },
    {
      id: 'mistral-small-2603',
      contextWindow: 262_144,
      images: true,
      reasoningEfforts: ON_OFF,
      defaultReasoningEffort: 'none',
    },
    {
      id: 'magistral-medium-latest',
      contextWindow: 131_072,
      maxOutputTokens: 40_000,
      images: true,
      reasoningEfforts: [],
    },
    {
      id: 'magistral-small-latest',
      contextWindow: 131_072,
      maxOutputTokens: 40_000,
      images: false,
      reasoningEfforts: [],
    },
    { id: 'devstral-medium-latest', contextWindow: 262_144, images: false, reasoningEfforts: [] },
    { id: 'devstral-small-latest', contextWindow: 262_144, images: false, reasoningEfforts: [] },
    { id: 'codestral-latest', contextWindow: 262_144, images: false, reasoningEfforts: [] },
    { id: 'pixtral-large-latest', contextWindow: 131_072, images: true, reasoningEfforts: [] },
    { id: 'ministral-8b-latest', contextWindow: 131_072, images: false, reasoningEfforts: [] },
  ],
  hooks: {
    // The generic default too (gateways pass `thinking` parts on); stated here as Mistral's own.
    readReasoningPart: readThinkingPart,
    echoReasoning(message, reasoning) {
      if (reasoning.text === '') return;
      const text = typeof message.content === 'string' ? message.content : '';
      message.content = [
        { type: 'thinking', thinking: [{ type: 'text', text: reasoning.text }] },
        ...(text !== '' ? [{ type: 'text' as const, text }] : []),
      ];
    },
    toUpstreamToolCallId: toMistralToolCallId,
    finalizeRequest(request) {
      request.messages = keepMessageFields(bridgeToolResults(request.messages), MESSAGE_FIELDS, TOOL_CALL_FIELDS);
      return request;
    },
  },
});

const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A tool-call id Mistral accepts. Its own ids (already 9 alphanumerics) are
 * kept, so they round-trip unchanged; any other id maps to the same 9
 * characters every time, so a call and its result still match.
 */
export function toMistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id, 'utf8').digest();
  let mapped = '';
  for (let index = 0; index < 9; index++) mapped += ALPHABET[digest[index]! % ALPHABET.length];
  return mapped;
}

/** Puts an assistant message between tool results and a following user or system message. */
export function bridgeToolResults(messages: readonly ChatMessage[]): ChatMessage[] {
  const result: ChatMessage[] = [];
  messages.forEach((message, index) => {
    const previous = messages[index - 1];
    if (previous?.role === 'tool' && (message.role === 'user' || message.role === 'system')) {
      result.push({ role: 'assistant', content: TOOL_RESULTS_BRIDGE });
    }
    result.push(message);
  });
  return result;
}
