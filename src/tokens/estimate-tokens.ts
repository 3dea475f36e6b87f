/**
 * An estimate of the input tokens of a Chat Completions request, for
 * `POST /v1/messages/count_tokens`. Text is counted with a real BPE tokenizer
 * (gpt-tokenizer, o200k_base); providers use their own tokenizers, so the
 * count is close but not exact. Each message adds the few tokens chat
 * templates wrap it in, and each image a fixed amount.
 */
import { countTokens as countWithSpecials } from 'gpt-tokenizer';
import type { ChatContentPart, ChatRequest } from '../translate/chat-types.js';

/** Tokens a chat template adds around one message (role markers, separators). */
const TOKENS_PER_MESSAGE = 4;
/** Tokens that prime the assistant's reply. */
const TOKENS_PER_REPLY = 3;
/** An image, at the size coding agents usually send (screenshots), in high detail. */
const TOKENS_PER_IMAGE = 765;

/** Special-token markers in the text (`<|endoftext|>`) are counted as ordinary text, never refused. */
const TEXT_ONLY = { disallowedSpecial: new Set<string>() };

function countTokens(text: string): number {
  return countWithSpecials(text, TEXT_ONLY);
}

/** Estimated input tokens of `request`: messages, tool calls and tool definitions. */
export function estimateChatRequestTokens(request: ChatRequest): number {
  let total = TOKENS_PER_REPLY;
  for (const message of request.messages) {
    total += TOKENS_PER_MESSAGE + contentTokens(message.content);
    if (message.role === 'assistant') {
      for (const call of message.tool_calls ?? []) total += countTokens(call.function.name) + countTokens(call.function.arguments) + TOKENS_PER_MESSAGE;
      if (typeof message.reasoning_content === 'string') total += countTokens(message.reasoning_content);
    }
  }
  if (request.tools && request.tools.length > 0) total += countTokens(JSON.stringify(request.tools));
  return total;
}

function contentTokens(content: string | null | readonly unknown[]): number {
  if (typeof content === 'string') return countTokens(content);
  if (!Array.isArray(content)) return 0;
  let total = 0;
  for (const part of content as ChatContentPart[]) {
    if (part.type === 'text') total += countTokens(part.text);
    else if (part.type === 'image_url') total += TOKENS_PER_IMAGE;
  }
  return total;
}
