/** Reading what Codex's turn looks like on the Chat Completions side. */

type Body = Record<string, any>;
type Message = Record<string, any>;

/** The request's messages (empty when there are none). */
export function messages(body: Body): Message[] {
  return Array.isArray(body.messages) ? body.messages : [];
}

/** Text of a message, whatever its content shape. */
export function textOf(message: Message | undefined): string {
  if (!message) return '';
  if (typeof message.content === 'string') return message.content;
  if (Array.isArray(message.content))
    return message.content.map((part: any) => (typeof part.text === 'string' ? part.text : '')).join('\n');
  return '';
}

/** Tool results in the request, by tool_call_id. */
export function toolResults(body: Body): Map<string, string> {
  return new Map(
    messages(body)
      .filter((message) => message.role === 'tool')
      .map((message) => [message.tool_call_id as string, textOf(message)]),
  );
}

/** The function names the request offers the model. */
export function toolNames(body: Body): string[] {
  return Array.isArray(body.tools) ? body.tools.map((tool: any) => tool.function?.name as string) : [];
}

/** Assistant messages that carry tool calls, in order. */
export function assistantToolCallMessages(body: Body): Message[] {
  return messages(body).filter((message) => message.role === 'assistant' && Array.isArray(message.tool_calls));
}

/** The text of the last user message. */
export function lastUserText(body: Body): string {
  return textOf(
    messages(body)
      .filter((message) => message.role === 'user')
      .at(-1),
  );
}
