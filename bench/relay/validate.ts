/**
 * Checks that a stream carries exactly what the mock upstream sent, so the
 * benchmark never times a broken stream: Chat Completions SSE for the direct
 * and byte-pipe paths, Responses SSE (ordered, numbered, complete) for the
 * relay.
 */
import type { SequentialPathName } from './client.js';
import { expectedOutput, type StreamVariant } from './workload.js';

interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Splits SSE text into events (both producers write one `data:` line per event). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue;
    let event: string | undefined;
    let data = '';
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    events.push({ event, data });
  }
  return events;
}

interface Collected {
  text: string;
  reasoning: string;
  arguments: string;
  outputTokens: number | undefined;
}

function collectChat(events: SseEvent[]): Collected {
  const collected: Collected = { text: '', reasoning: '', arguments: '', outputTokens: undefined };
  if (events.at(-1)?.data !== '[DONE]') throw new Error('the Chat stream does not end with [DONE]');
  for (const { data } of events.slice(0, -1)) {
    const chunk = JSON.parse(data) as {
      choices: Array<{ delta: Record<string, any> }>;
      usage?: { completion_tokens: number };
    };
    const delta = chunk.choices[0]?.delta;
    if (chunk.usage) collected.outputTokens = chunk.usage.completion_tokens;
    if (!delta) continue;
    if (typeof delta.content === 'string') collected.text += delta.content;
    if (typeof delta.reasoning_content === 'string') collected.reasoning += delta.reasoning_content;
    for (const call of delta.tool_calls ?? []) collected.arguments += call.function?.arguments ?? '';
  }
  return collected;
}

function collectResponses(events: SseEvent[]): Collected {
  let expectedSequence = 0;
  let streamedText = '';
  for (const { event, data } of events) {
    const parsed = JSON.parse(data) as { type: string; sequence_number: number; delta?: string };
    if (parsed.type !== event) throw new Error(`event line '${event}' does not match data type '${parsed.type}'`);
    if (parsed.sequence_number !== expectedSequence++)
      throw new Error(`sequence_number ${parsed.sequence_number} out of order at ${parsed.type}`);
    if (parsed.type === 'response.output_text.delta') streamedText += parsed.delta;
  }
  const last = JSON.parse(events.at(-1)?.data ?? '{}') as {
    type?: string;
    response?: { output: any[]; usage: { output_tokens: number } };
  };
  if (last.type !== 'response.completed' || !last.response)
    throw new Error(`the Responses stream ends with ${last.type ?? 'nothing'}, not response.completed`);
  const collected: Collected = {
    text: '',
    reasoning: '',
    arguments: '',
    outputTokens: last.response.usage?.output_tokens,
  };
  for (const item of last.response.output) {
    if (item.type === 'message') collected.text += item.content.map((part: { text: string }) => part.text).join('');
    if (item.type === 'reasoning')
      collected.reasoning += item.content.map((part: { text: string }) => part.text).join('');
    if (item.type === 'function_call') collected.arguments += item.arguments;
  }
  if (streamedText !== collected.text) throw new Error('the streamed text deltas differ from the final message text');
  return collected;
}

/** Throws, naming the difference, unless `text` is the complete stream for `variant`. */
export function validateStream(path: SequentialPathName, variant: StreamVariant, chunks: number, text: string): void {
  const events = parseSse(text);
  const collected = path === 'relay' ? collectResponses(events) : collectChat(events);
  const expected = expectedOutput(variant, chunks);
  for (const field of ['text', 'reasoning', 'arguments'] as const) {
    if (collected[field] !== expected[field]) {
      throw new Error(
        `${path}/${variant}: ${field} differs from what the upstream sent (${collected[field].length} vs ${expected[field].length} characters)`,
      );
    }
  }
  if (collected.outputTokens !== chunks)
    throw new Error(`${path}/${variant}: usage reports ${collected.outputTokens} output tokens, expected ${chunks}`);
}
