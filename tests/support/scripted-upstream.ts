/**
 * A Chat Completions upstream for end-to-end runs: the loopback mock server
 * with a scenario script, behind the checks a strict provider makes. A
 * request a real provider would refuse gets that provider's HTTP 400 (and is
 * recorded), so a relay bug shows up as the failure a user would see.
 */
import { providerErrorBody, type ThinkingMode, type Violation, validateChatRequest } from './chat-validation.js';
import {
  deltaChunk,
  finishChunk,
  type MockReply,
  type MockUpstream,
  type RecordedRequest,
  sleep,
  startMockUpstream,
  usageChunk,
} from './mock-upstream.js';

export interface Rejection {
  index: number;
  violations: Violation[];
}

export interface ScriptedUpstream extends MockUpstream {
  /** Requests refused as a strict provider would refuse them. */
  rejections: Rejection[];
}

/** Answers the n-th accepted request (0-based count of all requests). */
export type ChatScript = (request: RecordedRequest, index: number) => MockReply;

/** Starts the upstream; `thinking` turns on DeepSeek- or Kimi-style reasoning checks. */
export async function startScriptedUpstream(
  script: ChatScript,
  options: { thinking?: ThinkingMode } = {},
): Promise<ScriptedUpstream> {
  const rejections: Rejection[] = [];
  const upstream = await startMockUpstream((request, index) => {
    const violations = request.path.endsWith('/chat/completions')
      ? validateChatRequest(request.body, { thinking: options.thinking ?? 'off' })
      : [{ message: `Unknown request URL: ${request.method} ${request.path}.`, param: null }];
    if (violations.length > 0) {
      rejections.push({ index, violations });
      return {
        kind: 'json',
        status: violations[0]!.message.startsWith('Unknown request URL') ? 404 : 400,
        body: providerErrorBody(violations[0]!),
      };
    }
    return script(request, index);
  });
  return Object.assign(upstream, { rejections });
}

export interface ScriptedToolCall {
  id: string;
  name: string;
  /** The arguments as the model streams them, in pieces. */
  argumentPieces: string[];
}

/**
 * How a provider shapes its stream:
 * - `openai`: plain deltas, usage in a trailing `choices: []` chunk;
 * - `deepseek`: `reasoning_content`/`content` deltas that null the other field,
 *   usage (with cache hit counts) on the finish chunk itself;
 * - `kimi` (as served by OpenAI-compatible hosts): every reasoning delta also in
 *   `reasoning_details`, whitespace-only content between parallel tool calls, the
 *   finish reason sent twice, usage on the second.
 */
export type StreamStyle = 'openai' | 'deepseek' | 'kimi';

export interface ChatAnswer {
  reasoning?: string;
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage?: { prompt: number; completion: number };
  style?: StreamStyle;
}

/** One streamed completion: reasoning, text, tool calls (argument fragments), finish reason, usage. */
export function chatAnswer(answer: ChatAnswer): MockReply {
  const style = answer.style ?? 'openai';
  const chunks: object[] = [];
  const reasoningDelta = (piece: string) => {
    if (style === 'deepseek') return deltaChunk({ content: null, reasoning_content: piece });
    if (style === 'kimi')
      return deltaChunk({
        content: '',
        role: 'assistant',
        reasoning_details: [{ type: 'reasoning.text', text: piece, format: 'unknown', index: 0 }],
        reasoning_content: piece,
      });
    return deltaChunk({ reasoning_content: piece });
  };
  const textDelta = (piece: string) =>
    deltaChunk(style === 'deepseek' ? { content: piece, reasoning_content: null } : { content: piece });

  chunks.push(
    deltaChunk(
      style === 'deepseek'
        ? { role: 'assistant', content: null, reasoning_content: '' }
        : { role: 'assistant', content: '' },
    ),
  );
  if (answer.reasoning) for (const piece of splitInTwo(answer.reasoning)) chunks.push(reasoningDelta(piece));
  if (answer.text) for (const piece of splitInTwo(answer.text)) chunks.push(textDelta(piece));
  (answer.toolCalls ?? []).forEach((call, index) => {
    if (style === 'kimi' && index > 0) chunks.push(textDelta(' '));
    chunks.push(
      deltaChunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const piece of call.argumentPieces)
      chunks.push(deltaChunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });

  const finishReason = answer.toolCalls && answer.toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const { prompt, completion } = answer.usage ?? { prompt: 1200, completion: 40 };
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  switch (style) {
    case 'deepseek':
      chunks.push({
        ...(deltaChunk({ content: '', reasoning_content: null }, finishReason) as Record<string, unknown>),
        usage: {
          ...usage,
          prompt_tokens_details: { cached_tokens: 0 },
          prompt_cache_hit_tokens: 0,
          prompt_cache_miss_tokens: prompt,
        },
      });
      break;
    case 'kimi':
      chunks.push(deltaChunk({ content: '', role: 'assistant', reasoning_content: null }, finishReason));
      chunks.push({
        ...(deltaChunk({ content: '', role: 'assistant' }, finishReason) as Record<string, unknown>),
        usage,
      });
      break;
    case 'openai':
      chunks.push(finishChunk(finishReason), usageChunk(prompt, completion));
      break;
  }
  return { kind: 'sse', chunks };
}

/** A stream that goes silent for `pauseMs` after its first chunks, as a slow reasoning model does. */
export function pausedAnswer(before: object[], pauseMs: number, after: object[]): MockReply {
  return {
    kind: 'custom',
    handle: async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const chunk of before) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      await sleep(pauseMs);
      if (response.destroyed) return;
      for (const chunk of after) response.write(`data: ${JSON.stringify(chunk)}\n\n`);
      response.end('data: [DONE]\n\n');
    },
  };
}

/** Arguments as three fragments, the way providers stream them. */
export function fragmentArguments(value: Record<string, unknown>): string[] {
  const text = JSON.stringify(value);
  const third = Math.max(1, Math.floor(text.length / 3));
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)];
}

function splitInTwo(text: string): string[] {
  if (text.length < 2) return [text];
  const middle = Math.floor(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

/** A long answer, one chunk every 20 ms for up to 10 s; `onClosed` is called when the relay closes the request. */
export function longAnswer(onClosed: () => void): MockReply {
  return {
    kind: 'custom',
    handle: async (_request, response) => {
      response.on('close', onClosed);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 500 && !response.destroyed; index++) {
        response.write(`data: ${JSON.stringify(deltaChunk({ content: `piece ${index} ` }))}\n\n`);
        await sleep(20);
      }
      response.end();
    },
  };
}
