/**
 * A key for one tool call: its type, call id, namespace, name and arguments.
 * Call ids alone are not unique across conversations (Kimi numbers its calls
 * `functions.<name>:<n>` from zero in every conversation), so stored reasoning
 * is found by the whole call the client echoes back.
 */
import { createHash } from 'node:crypto';

/** The key of a tool-call item, or undefined for items that are not tool calls. */
export function toolCallKey(item: { type: string; [field: string]: unknown }): string | undefined {
  if (item.type !== 'function_call' && item.type !== 'custom_tool_call' && item.type !== 'tool_search_call')
    return undefined;
  const callId = item.call_id;
  if (typeof callId !== 'string' || callId === '') return undefined;
  const payload =
    item.type === 'function_call'
      ? item.arguments
      : item.type === 'custom_tool_call'
        ? item.input
        : JSON.stringify(item.arguments ?? {});
  const parts = [item.type, callId, stringOrEmpty(item.namespace), stringOrEmpty(item.name), stringOrEmpty(payload)];
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 32);
}

function stringOrEmpty(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Keys of the tool calls in an output list, in order. */
export function toolCallKeysOf(items: ReadonlyArray<{ type: string; [field: string]: unknown }>): string[] {
  const keys: string[] = [];
  for (const item of items) {
    const key = toolCallKey(item);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}
