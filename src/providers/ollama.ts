/**
 * Ollama (OpenAI-compatible API at :11434/v1). Runs locally: no key. Reasoning
 * streams as `reasoning` and may go back the same way (gpt-oss and other
 * thinking models use it on tool-call turns). `reasoning_effort` none/low/
 * medium/high switches thinking. Tool calls arrive whole in one chunk with
 * `call_<8>` ids. Images must be inline `data:` URLs; linked images are
 * described in text instead of failing the request. Many chat templates
 * accept one system message, first. The context window is whatever the
 * server was started with (OLLAMA_CONTEXT_LENGTH), so no model list is kept.
 */
import type { ChatContentPart, ChatMessage } from '../translate/chat-types.js';
import { defineProvider, LOCAL_RUNTIME } from './define-provider.js';

/** The Ollama profile (`--provider ollama`). */
export const ollamaProvider = defineProvider({
  id: 'ollama',
  displayName: 'Ollama',
  defaultBaseUrl: 'http://127.0.0.1:11434/v1',
  ...LOCAL_RUNTIME,
  reasoningEfforts: ['none', 'low', 'medium', 'high'],
  hooks: {
    echoReasoning(message, reasoning) {
      if (reasoning.text !== '') message.reasoning = reasoning.text;
    },
    finalizeRequest(request) {
      request.messages = request.messages.map(inlineImagesOnly);
      return request;
    },
  },
});

/** Replaces linked (non-`data:`) images with a note: Ollama only takes inline images. */
function inlineImagesOnly(message: ChatMessage): ChatMessage {
  if ((message.role !== 'user' && message.role !== 'tool') || !Array.isArray(message.content)) return message;
  const content = message.content.map(
    (part): ChatContentPart =>
      part.type === 'image_url' && !part.image_url.url.startsWith('data:')
        ? { type: 'text', text: `[image not sent: Ollama accepts only inline images; it is at ${part.image_url.url}]` }
        : part,
  );
  return { ...message, content };
}
