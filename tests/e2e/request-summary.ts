/** A short, readable account of what the upstream received, for assertion messages. */
import type { RecordedRequest } from '../support/mock-upstream.js';

/** One line per message of every request: role, tool calls, and the start of the text. */
export function summarizeRequests(requests: readonly RecordedRequest[]): string {
  return requests
    .map((request, index) => {
      const body = request.body as Record<string, any> | undefined;
      const tools = Array.isArray(body?.tools) ? body.tools.length : 0;
      const lines = (Array.isArray(body?.messages) ? body.messages : []).map((message: any) => {
        const text = typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? null);
        const calls = Array.isArray(message.tool_calls)
          ? ` calls=[${message.tool_calls.map((call: any) => `${call.id}:${call.function?.name}`).join(', ')}]`
          : '';
        const reasoning =
          typeof message.reasoning_content === 'string'
            ? ` reasoning=${JSON.stringify(message.reasoning_content.slice(0, 40))}`
            : '';
        const id = message.tool_call_id ? ` id=${message.tool_call_id}` : '';
        return `    ${message.role}${id}${calls}${reasoning}: ${text.replace(/\s+/g, ' ').slice(0, 100)}`;
      });
      return `  request ${index + 1}: ${request.method} ${request.path} tools=${tools}\n${lines.join('\n')}`;
    })
    .join('\n');
}
