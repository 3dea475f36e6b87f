/** Builds Anthropic request translations and stream state machines for unit tests, with fixed ids and clock. */
import { genericProvider } from '../../src/providers/generic.js';
import { type AnthropicEvent, AnthropicMessageStream } from '../../src/translate/anthropic/message-stream.js';
import { parseMessagesRequest } from '../../src/translate/anthropic/parse-messages-request.js';
import type { ChatChunk } from '../../src/translate/chat-types.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { translatorForBuilt } from './translator.js';

/** The Chat request a Messages body becomes for `profile`. */
export function chatRequestFor(
  body: Record<string, unknown>,
  profile: ProviderProfile = genericProvider,
): Record<string, any> {
  const { request, notes } = parseMessagesRequest({ model: 'test-model', max_tokens: 1024, ...body });
  return buildChatRequest(request, profile, request.model, notes).body as Record<string, any>;
}

/** The stream state machine for a Messages body, as the route builds it. */
export function messageStreamFor(
  body: Record<string, unknown> = {},
  profile: ProviderProfile = genericProvider,
): AnthropicMessageStream {
  const { request, notes } = parseMessagesRequest({
    model: 'claude-test',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'hi' }],
    ...body,
  });
  const built = buildChatRequest(request, profile, request.model, notes);
  return new AnthropicMessageStream({
    messageId: 'msg_test',
    model: request.model,
    inner: translatorForBuilt(request, built, profile),
  });
}

/** start, every chunk, finish. */
export function runMessageStream(stream: AnthropicMessageStream, chunks: ChatChunk[], finish = true): AnthropicEvent[] {
  const events = [...stream.start()];
  for (const chunk of chunks) events.push(...stream.onChunk(chunk));
  if (finish) events.push(...stream.finish());
  return events;
}

/** The events without message_start's shell, as compact strings: `start 0 text`, `delta 0 text_delta:Hi`, … */
export function describeEvents(events: readonly AnthropicEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case 'content_block_start': {
        const block = event.content_block as Record<string, unknown>;
        return `start ${event.index} ${block.type}${block.type === 'tool_use' ? ` ${block.id} ${block.name}` : ''}${block.type === 'redacted_thinking' ? ` ${block.data}` : ''}`;
      }
      case 'content_block_delta': {
        const delta = event.delta as Record<string, string>;
        const value = delta.text ?? delta.thinking ?? delta.partial_json ?? delta.signature;
        return `delta ${event.index} ${delta.type}:${value}`;
      }
      case 'content_block_stop':
        return `stop ${event.index}`;
      case 'message_delta':
        return `message_delta ${(event.delta as { stop_reason: string }).stop_reason} ${JSON.stringify(event.usage)}`;
      case 'error':
        return `error ${(event.error as { type: string }).type}`;
      default:
        return event.type;
    }
  });
}
