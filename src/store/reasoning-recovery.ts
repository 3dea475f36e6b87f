/**
 * Reasoning recovered from the store for clients that drop reasoning items.
 * DeepSeek and Kimi reject an assistant tool-call message without its
 * `reasoning_content` in thinking mode; the stateless envelope brings it back
 * when a client echoes reasoning items, and this is the fallback when it does
 * not. Pure: the lookup result is passed in.
 *
 * An assistant turn in the input is a run of reasoning, assistant messages and
 * tool calls; a turn that has tool calls but no reasoning item gets the
 * reasoning of the stored response that made those calls, placed first.
 */

import type { InputItem } from '../translate/request/responses-schema.js';
import { toolCallKey } from './tool-call-key.js';
import type { RecoveredReasoning } from './types.js';

interface AssistantTurn {
  start: number;
  hasReasoning: boolean;
  /** Its tool calls (keys are computed only for turns that need them). */
  calls: InputItem[];
}

/** Items that belong to the model's side of the conversation (one Chat assistant message). */
export function isAssistantSide(item: InputItem): boolean {
  switch (item.type) {
    case 'reasoning':
    case 'function_call':
    case 'custom_tool_call':
    case 'tool_search_call':
    case 'local_shell_call':
    case 'web_search_call':
    case 'image_generation_call':
      return true;
    case 'message':
      return item.role === 'assistant';
    default:
      return false;
  }
}

function assistantTurns(items: readonly InputItem[]): AssistantTurn[] {
  const turns: AssistantTurn[] = [];
  let current: AssistantTurn | undefined;
  items.forEach((item, index) => {
    if (!isAssistantSide(item)) {
      current = undefined;
      return;
    }
    if (!current) {
      current = { start: index, hasReasoning: false, calls: [] };
      turns.push(current);
    }
    if (item.type === 'reasoning') current.hasReasoning = true;
    else if (item.type !== 'message') current.calls.push(item);
  });
  return turns;
}

function keysOf(turn: AssistantTurn): string[] {
  const keys: string[] = [];
  for (const call of turn.calls) {
    const key = toolCallKey(call);
    if (key !== undefined) keys.push(key);
  }
  return keys;
}

/** Keys of the tool calls made in assistant turns that carry no reasoning. */
export function callKeysMissingReasoning(items: readonly InputItem[]): string[] {
  const keys: string[] = [];
  for (const turn of assistantTurns(items)) if (!turn.hasReasoning) keys.push(...keysOf(turn));
  return keys;
}

/** The items with recovered reasoning put at the start of each turn that lacked it. */
export function restoreReasoning<Item extends InputItem>(
  items: readonly Item[],
  found: ReadonlyMap<string, RecoveredReasoning>,
): Item[] {
  const insertions = new Map<number, InputItem[]>();
  for (const turn of assistantTurns(items)) {
    if (turn.hasReasoning) continue;
    const responses = new Set<string>();
    const reasoning: InputItem[] = [];
    for (const key of keysOf(turn)) {
      const recovered = found.get(key);
      if (!recovered || responses.has(recovered.responseId)) continue;
      responses.add(recovered.responseId);
      reasoning.push(...recovered.items);
    }
    if (reasoning.length > 0) insertions.set(turn.start, reasoning);
  }
  if (insertions.size === 0) return [...items];
  const result: Item[] = [];
  items.forEach((item, index) => {
    const inserted = insertions.get(index);
    if (inserted) result.push(...(inserted as Item[]));
    result.push(item);
  });
  return result;
}
