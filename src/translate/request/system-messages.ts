/**
 * Some chat templates (Qwen, Llama and others served by local runtimes) accept
 * one system message, first. For those upstreams the leading system messages
 * are joined and later ones are passed on as user text, so nothing is lost.
 */
import type { ChatMessage } from '../chat-types.js';

/** Joins leading system messages and turns later ones into user messages. */
export function hoistSystemMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  const leading: string[] = [];
  let index = 0;
  while (index < messages.length && messages[index]!.role === 'system') {
    leading.push(messages[index]!.content as string);
    index++;
  }
  const result: ChatMessage[] = leading.length > 0 ? [{ role: 'system', content: leading.join('\n\n') }] : [];
  for (; index < messages.length; index++) {
    const message = messages[index]!;
    result.push(
      message.role === 'system' ? { role: 'user', content: `[System message]\n${message.content}` } : message,
    );
  }
  return result;
}
