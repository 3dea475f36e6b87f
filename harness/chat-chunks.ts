/**
 * Chat Completions stream chunks for tests and benchmarks: text, reasoning,
 * tool calls, the finish reason and usage, in the shape providers send.
 */
import type { ChatChunk } from '../src/translate/chat-types.js';

const BASE = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'mock-model' };

export function deltaChunk(delta: Record<string, unknown>, finishReason: string | null = null): ChatChunk {
  return { ...BASE, choices: [{ index: 0, delta, finish_reason: finishReason }] };
}

/** Text split into pieces, one chunk each. */
export function textChunks(...pieces: string[]): ChatChunk[] {
  return pieces.map((piece, index) =>
    deltaChunk(index === 0 ? { role: 'assistant', content: piece } : { content: piece }),
  );
}

export function reasoningChunks(...pieces: string[]): ChatChunk[] {
  return pieces.map((piece) => deltaChunk({ reasoning_content: piece }));
}

/** A tool call streamed as a first frame with the name, then argument fragments. */
export function toolCallChunks(index: number, id: string, name: string, ...argumentPieces: string[]): ChatChunk[] {
  return [
    deltaChunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] }),
    ...argumentPieces.map((piece) => deltaChunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
  ];
}

export function finishChunk(reason: string): ChatChunk {
  return deltaChunk({}, reason);
}

export function usageChunk(
  promptTokens: number,
  completionTokens: number,
  extra: Record<string, unknown> = {},
): ChatChunk {
  return {
    ...BASE,
    choices: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...extra,
    },
  };
}
