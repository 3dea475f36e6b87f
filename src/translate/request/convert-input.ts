/**
 * Responses input items → Chat Completions messages. Pure.
 *
 * The rules that keep a strict upstream happy:
 * - all system/developer text is kept, in order, as system messages;
 * - the assistant text, reasoning and every tool call of one turn form ONE
 *   assistant message, followed directly by one tool message per call;
 * - every tool call gets a result (a placeholder for calls that never returned),
 *   and a result without its call becomes plain user text;
 * - images in tool results reach the model, as a user message right after the
 *   tool messages where the upstream refuses images inside tool messages.
 */

import type { ChatAssistantMessage, ChatContentPart, ChatMessage, ChatToolCall } from '../chat-types.js';
import type { TranslationNote } from '../notes.js';
import type { ProviderHooks, RequestContext } from '../provider-hooks.js';
import { mergeReasoning, type ReasoningCarrier } from '../reasoning-envelope.js';
import type { ToolNameMap } from '../tool-names.js';
import { CUSTOM_TOOL_INPUT_FIELD } from './convert-tools.js';
import {
  agentMessageText,
  messageText,
  normalizeArguments,
  reasoningCarrier,
  type ToolOutputItem,
  toolOutputContent,
  userMessage,
} from './input-content.js';
import type { InputItem } from './responses-schema.js';

export interface ConvertInputOptions {
  hooks: ProviderHooks;
  context: RequestContext;
  names: ToolNameMap;
  /** Whether the upstream model accepts images at all. */
  images: boolean;
  /** Whether images may sit inside tool messages. */
  imagesInToolResults: boolean;
}

/** Placeholder result for a call that has no output in the history. */
export const MISSING_TOOL_OUTPUT = 'No output: this tool call was interrupted before it returned a result.';

interface PendingTurn {
  text: string;
  toolCalls: ChatToolCall[];
  /** Client call ids, parallel to toolCalls. */
  callIds: string[];
  reasoning: ReasoningCarrier | undefined;
}

/** Converts instructions and input items into Chat messages. */
export function convertInput(
  instructions: string | null,
  items: readonly InputItem[],
  options: ConvertInputOptions,
  notes: TranslationNote[],
): ChatMessage[] {
  const state = startConversion();
  appendInput(state, items, options, notes);
  return conversionMessages(state, instructions, options);
}

/**
 * Where a conversion stands after some items: the messages of the finished
 * turns, the assistant turn still open, and what is known of tool calls.
 * Appending more items to it gives the messages a conversion of all the items
 * at once gives, except when a call already sent without its output gets that
 * output later (see incremental-input.ts).
 */
export interface ConversionState {
  messages: ChatMessage[];
  /** Each call id's first output. */
  outputs: Map<string, ToolOutputItem>;
  consumed: Set<string>;
  emittedCalls: Set<string>;
  /** Calls sent with the placeholder because their output was not (yet) in the items. */
  unanswered: Set<string>;
  turn: PendingTurn;
}

/** A conversion of no items yet. */
export function startConversion(): ConversionState {
  return {
    messages: [],
    outputs: new Map(),
    consumed: new Set(),
    emittedCalls: new Set(),
    unanswered: new Set(),
    turn: emptyTurn(),
  };
}

/** The messages so far, with the open assistant turn closed (on a copy: the state can still be appended to). */
export function conversionMessages(
  state: ConversionState,
  instructions: string | null,
  options: ConvertInputOptions,
): ChatMessage[] {
  const messages: ChatMessage[] = [
    ...(instructions ? [{ role: 'system' as const, content: instructions }] : []),
    ...state.messages,
  ];
  const consumed = new Set<string>();
  const claims: OutputClaims = {
    isConsumed: (callId) => consumed.has(callId) || state.consumed.has(callId),
    consume: (callId) => consumed.add(callId),
    emitted: () => undefined,
  };
  const { turn } = state;
  flushTurn({ ...turn, toolCalls: [...turn.toolCalls] }, state.outputs, claims, messages, options);
  return messages;
}

/** How a flush reads and records which outputs were used. */
interface OutputClaims {
  isConsumed: (callId: string) => boolean;
  consume: (callId: string) => void;
  emitted: (callId: string, answered: boolean) => void;
}

/** The messages of one assistant turn: the assistant message, then one tool message per call. */
function flushTurn(
  turn: PendingTurn,
  outputs: ReadonlyMap<string, ToolOutputItem>,
  claims: OutputClaims,
  messages: ChatMessage[],
  options: ConvertInputOptions,
): void {
  if (turn.text === '' && turn.toolCalls.length === 0) return;
  const message: ChatAssistantMessage = { role: 'assistant', content: turn.text === '' ? null : turn.text };
  if (turn.toolCalls.length > 0) message.tool_calls = turn.toolCalls;
  if (turn.reasoning) options.hooks.echoReasoning(message, turn.reasoning, options.context);
  messages.push(message);
  const followingImages: ChatContentPart[] = [];
  turn.callIds.forEach((callId, index) => {
    const upstreamId = turn.toolCalls[index]!.id;
    const output = claims.isConsumed(callId) ? undefined : outputs.get(callId);
    claims.emitted(callId, output !== undefined);
    if (output === undefined) {
      messages.push({ role: 'tool', tool_call_id: upstreamId, content: MISSING_TOOL_OUTPUT });
      return;
    }
    claims.consume(callId);
    const { text, images } = toolOutputContent(output, options.names);
    if (images.length > 0 && options.images && options.imagesInToolResults) {
      const parts: ChatContentPart[] = text === '' ? [] : [{ type: 'text', text }];
      messages.push({ role: 'tool', tool_call_id: upstreamId, content: [...parts, ...images] });
      return;
    }
    let content = text;
    if (images.length > 0) {
      if (options.images) {
        followingImages.push({ type: 'text', text: `Image output of tool call ${callId}:` }, ...images);
        content =
          text === ''
            ? '(image output follows in the next message)'
            : `${text}\n(image output follows in the next message)`;
      } else {
        content = `${text}${text === '' ? '' : '\n'}[${images.length} image(s) omitted: the upstream model does not accept images]`;
      }
    }
    messages.push({ role: 'tool', tool_call_id: upstreamId, content: content === '' ? '(empty output)' : content });
  });
  if (followingImages.length > 0) messages.push({ role: 'user', content: followingImages });
}

/** Converts more items, after those already in `state`. */
export function appendInput(
  state: ConversionState,
  items: readonly InputItem[],
  options: ConvertInputOptions,
  notes: TranslationNote[],
): void {
  const { messages, outputs, consumed, emittedCalls, turn } = state;
  for (const item of items) {
    if (isToolOutput(item) && typeof item.call_id === 'string' && !outputs.has(item.call_id))
      outputs.set(item.call_id, item);
  }
  const claims: OutputClaims = {
    isConsumed: (callId) => consumed.has(callId),
    consume: (callId) => consumed.add(callId),
    emitted: (callId, answered) => {
      emittedCalls.add(callId);
      if (!answered) state.unanswered.add(callId);
    },
  };

  const flush = () => {
    flushTurn(turn, outputs, claims, messages, options);
    Object.assign(turn, emptyTurn());
  };

  const addCall = (callId: string, name: string, args: string) => {
    turn.toolCalls.push({
      id: options.hooks.toUpstreamToolCallId(callId),
      type: 'function',
      function: { name, arguments: args },
    });
    turn.callIds.push(callId);
  };

  items.forEach((item, index) => {
    switch (item.type) {
      case 'message':
        if (item.role === 'assistant') {
          turn.text += messageText(item, '', notes);
          break;
        }
        flush();
        if (item.role === 'user') messages.push(userMessage(item, options.images, notes));
        else {
          const text = messageText(item, '\n\n', notes);
          if (text !== '') messages.push({ role: 'system', content: text });
        }
        break;
      case 'reasoning':
        turn.reasoning = mergeReasoning(turn.reasoning, reasoningCarrier(item));
        break;
      case 'function_call':
        addCall(
          item.call_id,
          options.names.upstreamNameFor({
            kind: 'function',
            name: item.name,
            ...(item.namespace ? { namespace: item.namespace } : {}),
          }),
          normalizeArguments(item.arguments, `input[${index}].arguments`, notes),
        );
        break;
      case 'custom_tool_call':
        addCall(
          item.call_id,
          options.names.upstreamNameFor({
            kind: 'custom',
            name: item.name,
            ...(item.namespace ? { namespace: item.namespace } : {}),
          }),
          JSON.stringify({ [CUSTOM_TOOL_INPUT_FIELD]: item.input }),
        );
        break;
      case 'tool_search_call':
        if (typeof item.call_id === 'string' && item.call_id !== '') {
          addCall(
            item.call_id,
            options.names.upstreamNameFor({ kind: 'tool_search', name: 'tool_search' }),
            JSON.stringify(item.arguments ?? {}),
          );
        } else {
          turn.text += `\n[searched for tools: ${JSON.stringify(item.arguments ?? {})}]`;
        }
        break;
      case 'local_shell_call': {
        const command = item.action?.command?.join(' ') ?? '';
        turn.text += `${turn.text === '' ? '' : '\n'}[ran a local shell command: ${command}]`;
        break;
      }
      case 'web_search_call':
        turn.text += `${turn.text === '' ? '' : '\n'}[searched the web${item.action?.query ? ` for: ${item.action.query}` : ''}]`;
        break;
      case 'image_generation_call':
        turn.text += `${turn.text === '' ? '' : '\n'}[generated an image${item.revised_prompt ? `: ${item.revised_prompt}` : ''}]`;
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
      case 'tool_search_output': {
        const callId = item.call_id;
        if (typeof callId === 'string' && turn.callIds.includes(callId)) {
          flush();
          break;
        }
        if (typeof callId === 'string' && (consumed.has(callId) || emittedCalls.has(callId))) break;
        flush();
        // A result whose call is not in the history: keep what it says as user text.
        if (typeof callId === 'string') consumed.add(callId);
        const { text, images } = toolOutputContent(item, options.names);
        const parts: ChatContentPart[] = [
          { type: 'text', text: `Output of tool call ${callId ?? '(unknown)'}:\n${text}` },
        ];
        if (options.images) parts.push(...images);
        messages.push({
          role: 'user',
          content: images.length > 0 && options.images ? parts : (parts[0] as { text: string }).text,
        });
        notes.push({
          level: 'debug',
          message: `tool output ${callId ?? '(no call id)'} has no matching call; sent as user text`,
        });
        break;
      }
      case 'agent_message':
        flush();
        messages.push({ role: 'user', content: agentMessageText(item) });
        break;
      case 'additional_tools':
        break; // its tools are added to the tool list
      case 'compaction':
        break; // the relay's own were expanded into their summary before translation; others cannot be read
      default: {
        const exhaustive: never = item;
        throw new Error(`unhandled item ${JSON.stringify(exhaustive)}`);
      }
    }
  });
}

function emptyTurn(): PendingTurn {
  return { text: '', toolCalls: [], callIds: [], reasoning: undefined };
}

function isToolOutput(item: InputItem): item is ToolOutputItem {
  return (
    item.type === 'function_call_output' ||
    item.type === 'custom_tool_call_output' ||
    item.type === 'tool_search_output'
  );
}
