/**
 * Small request rewrites several provider files share: keeping only the
 * fields a strict provider accepts, relaxing forced tool use for thinking
 * models, and filling reasoning that a provider insists on. Pure.
 */
import type { ChatAssistantMessage, ChatMessage, ChatRequest } from '../translate/chat-types.js';

/** A copy of the request holding only the allowed top-level fields. */
export function keepRequestFields(request: ChatRequest, allowed: readonly string[]): ChatRequest {
  const kept: Record<string, unknown> = {};
  for (const field of allowed) {
    if (request[field] !== undefined) kept[field] = request[field];
  }
  return kept as ChatRequest;
}

export type MessageFieldRules = Record<ChatMessage['role'], readonly string[]>;

/** Copies of the messages holding only the fields allowed for their role (and tool-call fields). */
export function keepMessageFields(
  messages: readonly ChatMessage[],
  rules: MessageFieldRules,
  toolCallFields: readonly string[],
): ChatMessage[] {
  return messages.map((message) => {
    const kept: Record<string, unknown> = {};
    for (const field of rules[message.role]) {
      const value = (message as unknown as Record<string, unknown>)[field];
      if (value !== undefined) kept[field] = value;
    }
    if (message.role === 'assistant' && Array.isArray(message.tool_calls) && rules.assistant.includes('tool_calls')) {
      kept.tool_calls = message.tool_calls.map((call) => {
        const keptCall: Record<string, unknown> = {};
        for (const field of toolCallFields) if (call[field] !== undefined) keptCall[field] = call[field];
        return keptCall;
      });
    }
    return kept as unknown as ChatMessage;
  });
}

/** Thinking models reject forced tool use: `required` and a named function become `auto`. */
export function relaxForcedToolChoice(request: ChatRequest): void {
  if (request.tool_choice === 'required' || (typeof request.tool_choice === 'object' && request.tool_choice !== null)) {
    request.tool_choice = 'auto';
  }
}

/**
 * Stands in for reasoning the history does not have (a turn from another
 * model, or one that produced none) on providers that reject an assistant
 * tool-call message without it.
 */
export const MISSING_REASONING_PLACEHOLDER = '(reasoning for this step is not available)';

/** Gives every assistant tool-call message a reasoning field, keeping what is there byte for byte. */
export function fillMissingReasoning(messages: readonly ChatMessage[], field: string): void {
  for (const message of messages) {
    if (message.role !== 'assistant' || !Array.isArray(message.tool_calls) || message.tool_calls.length === 0) continue;
    const existing = message[field];
    if (typeof existing !== 'string' || existing === '') message[field] = MISSING_REASONING_PLACEHOLDER;
  }
}

/** The assistant messages of each stretch of conversation between two user messages. */
export function assistantMessagesByUserTurn(messages: readonly ChatMessage[]): ChatAssistantMessage[][] {
  const turns: ChatAssistantMessage[][] = [[]];
  for (const message of messages) {
    if (message.role === 'user') turns.push([]);
    else if (message.role === 'assistant') turns[turns.length - 1]!.push(message);
  }
  return turns.filter((turn) => turn.length > 0);
}

/** True when the model id (with or without a `vendor/` prefix) starts with one of the prefixes. */
export function modelMatches(model: string, prefixes: readonly string[]): boolean {
  const bare = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const lower = bare.toLowerCase();
  return prefixes.some((prefix) => lower.startsWith(prefix));
}
