/**
 * Scenarios about the model and the provider rather than the tools: thinking
 * models that need their reasoning back (DeepSeek, Kimi-shaped streams, a
 * resumed session), a rate limit, compaction near the end of the context
 * window, a context-length error, an error in the middle of a stream and a
 * long silence bridged by heartbeats.
 */
import { expect } from 'vitest';
import { deltaChunk, finishChunk, textChunks, usageChunk } from '../../support/mock-upstream.js';
import { chatAnswer, fragmentArguments, pausedAnswer } from '../../support/scripted-upstream.js';
import type { E2EScenario } from '../harness.js';
import { assistantToolCallMessages, lastUserText, messages, textOf, toolNames, toolResults } from './chat-reading.js';

export const thinkingModel: E2EScenario = {
  id: 'thinking-reasoning-content',
  websocket: true,
  title: 'thinking model (DeepSeek) gets reasoning_content back on every tool-call turn, three steps',
  prompt: 'Take three steps',
  thinking: 'deepseek',
  script: (_request, index) => {
    switch (index) {
      case 0:
        return chatAnswer({
          style: 'deepseek',
          reasoning: 'Step one: look around.',
          toolCalls: [
            { id: 'call_00_think1', name: 'exec_command', argumentPieces: fragmentArguments({ cmd: 'echo step-one' }) },
          ],
        });
      case 1:
        return chatAnswer({
          style: 'deepseek',
          reasoning: 'Step two: check again.',
          toolCalls: [
            { id: 'call_00_think2', name: 'exec_command', argumentPieces: fragmentArguments({ cmd: 'echo step-two' }) },
          ],
        });
      default:
        return chatAnswer({ style: 'deepseek', reasoning: 'Both steps worked.', text: 'three steps done' });
    }
  },
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(3);
    expect(assistantToolCallMessages(bodies[1]!).map((message) => message.reasoning_content)).toEqual([
      'Step one: look around.',
    ]);
    expect(assistantToolCallMessages(bodies[2]!).map((message) => message.reasoning_content)).toEqual([
      'Step one: look around.',
      'Step two: check again.',
    ]);
    expect(toolResults(bodies[2]!).get('call_00_think2')).toContain('step-two');
    expect(run.lastMessage?.trim(), transcript).toBe('three steps done');
  },
};

export const kimiParallelThinking: E2EScenario = {
  id: 'kimi-stream-shape',
  title: 'Kimi-shaped stream: reasoning_details, functions.* call ids, whitespace between parallel calls',
  prompt: 'Check both files in one go',
  thinking: 'kimi',
  script: (_request, index) => {
    if (index === 0) {
      return chatAnswer({
        style: 'kimi',
        reasoning: 'Both checks are independent, so run them together.',
        text: 'I will run both checks at the same time.',
        toolCalls: [
          {
            id: 'functions.exec_command:0',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'echo kimi-one' }),
          },
          {
            id: 'functions.exec_command:1',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'echo kimi-two' }),
          },
        ],
      });
    }
    return chatAnswer({ style: 'kimi', reasoning: 'Both printed.', text: 'both checks passed' });
  },
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(2);
    const [turn, ...others] = assistantToolCallMessages(bodies[1]!);
    expect(others).toEqual([]);
    expect(turn!.tool_calls.map((call: any) => call.id)).toEqual([
      'functions.exec_command:0',
      'functions.exec_command:1',
    ]);
    expect(turn!.reasoning_content).toBe('Both checks are independent, so run them together.');
    const results = toolResults(bodies[1]!);
    expect(results.get('functions.exec_command:0')).toContain('kimi-one');
    expect(results.get('functions.exec_command:1')).toContain('kimi-two');
    expect(run.lastMessage?.trim(), transcript).toBe('both checks passed');
  },
};

export const rateLimitRetry: E2EScenario = {
  id: 'rate-limit-retry',
  title: 'upstream 429 with Retry-After once, then success',
  prompt: 'Say hello after the rate limit',
  script: (_request, index) => {
    if (index === 0) {
      return {
        kind: 'json',
        status: 429,
        headers: { 'retry-after': '1' },
        body: {
          error: {
            message: 'Rate limit reached for requests per minute.',
            type: 'requests',
            param: null,
            code: 'rate_limit_exceeded',
          },
        },
      };
    }
    return chatAnswer({ text: 'hello after waiting' });
  },
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(run.lastMessage?.trim(), transcript).toBe('hello after waiting');
  },
};

const CONTEXT_WINDOW = 32_000;
const COMPACT_LIMIT = 24_000;
const SUMMARY = 'SUMMARY: the proof command ran and printed compact-step-1.';

/** A compaction request asks for a summary and offers no tools. */
function isCompactionRequest(body: Record<string, any>): boolean {
  return toolNames(body).length === 0 && !messages(body).some((message) => textOf(message).includes(SUMMARY));
}

export const autoCompaction: E2EScenario = {
  id: 'auto-compaction',
  websocket: true,
  title: 'usage near the context window: Codex compacts and carries on',
  prompt: 'Run the proof command, then finish',
  catalog: { contextWindow: CONTEXT_WINDOW, autoCompactTokenLimit: COMPACT_LIMIT },
  script: (request, index) => {
    const body = request.body;
    if (index === 0) {
      // The upstream reports a context nearly full: over Codex's compaction limit.
      return chatAnswer({
        toolCalls: [
          {
            id: 'call_compact_1',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'echo compact-step-1' }),
          },
        ],
        usage: { prompt: COMPACT_LIMIT + 2_000, completion: 100 },
      });
    }
    if (isCompactionRequest(body))
      return chatAnswer({ text: SUMMARY, usage: { prompt: COMPACT_LIMIT + 2_200, completion: 60 } });
    const summarized = messages(body).some((message) => textOf(message).includes(SUMMARY));
    return chatAnswer({
      text: summarized ? 'carried on after compaction' : 'carried on without a summary',
      usage: { prompt: 3_000, completion: 20 },
    });
  },
  verify: ({ run, bodies, transcript }) => {
    const compactions = bodies.filter(isCompactionRequest);
    expect(compactions.length, transcript).toBeGreaterThanOrEqual(1);
    const afterCompaction = bodies[bodies.indexOf(compactions[0]!) + 1];
    expect(afterCompaction, transcript).toBeDefined();
    expect(messages(afterCompaction!).some((message) => textOf(message).includes(SUMMARY))).toBe(true);
    expect(run.lastMessage?.trim(), transcript).toBe('carried on after compaction');
  },
};

export const streamErrorRetry: E2EScenario = {
  id: 'stream-error-retry',
  websocket: true,
  title: 'error chunk in the middle of a stream: Codex retries and succeeds',
  prompt: 'Say recovered',
  script: (_request, index) => {
    if (index === 0) {
      return {
        kind: 'sse',
        done: false,
        chunks: [
          ...textChunks('partial ', 'answer'),
          {
            error: {
              message: 'The server had an error while processing your request.',
              type: 'server_error',
              code: null,
            },
          },
        ],
      };
    }
    return chatAnswer({ text: 'recovered' });
  },
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(2);
    expect(lastUserText(bodies[1]!)).toBe('Say recovered');
    // The broken attempt left nothing behind in the conversation.
    expect(messages(bodies[1]!).some((message) => textOf(message).includes('partial answer'))).toBe(false);
    expect(run.lastMessage?.trim(), transcript).toBe('recovered');
  },
};

/** Codex gives up on a stream that stays silent this long (set low to keep the run short). */
const SHORT_IDLE_TIMEOUT_MS = 1_500;

export const silentUpstream: E2EScenario = {
  id: 'silent-upstream-heartbeat',
  title: "upstream silent longer than Codex's idle timeout: heartbeats keep the stream alive",
  prompt: 'Think for a while, then answer',
  streamIdleTimeoutMs: SHORT_IDLE_TIMEOUT_MS,
  heartbeatMs: SHORT_IDLE_TIMEOUT_MS / 6,
  script: () =>
    pausedAnswer(
      [deltaChunk({ role: 'assistant', reasoning_content: 'Thinking slowly.' })],
      SHORT_IDLE_TIMEOUT_MS * 2,
      [...textChunks('answered after the pause'), finishChunk('stop'), usageChunk(1200, 40)],
    ),
  verify: ({ run, bodies, transcript }) => {
    // One request: Codex never timed out and never retried.
    expect(bodies, transcript).toHaveLength(1);
    expect(run.lastMessage?.trim(), transcript).toBe('answered after the pause');
  },
};

/** DeepSeek's wording when a request is over the model's context length. */
const CONTEXT_LENGTH_ERROR =
  "This model's maximum context length is 131072 tokens. However, you requested 140000 tokens (140000 in the messages, 0 in the completion). Please reduce the length of the messages or completion.";

export const contextLengthError: E2EScenario = {
  id: 'context-length-error',
  title: 'provider context-length error reaches Codex as its context-window error (no retry loop)',
  prompt: 'Run the proof command, then finish',
  expectFailure: true,
  script: (_request, index) => {
    if (index === 0)
      return chatAnswer({
        toolCalls: [
          { id: 'call_ovf_1', name: 'exec_command', argumentPieces: fragmentArguments({ cmd: 'echo overflow-step' }) },
        ],
      });
    return {
      kind: 'json',
      status: 400,
      body: {
        error: {
          message: CONTEXT_LENGTH_ERROR,
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_request_error',
        },
      },
    };
  },
  verify: ({ run, bodies, transcript }) => {
    // Codex recognised context_length_exceeded: it names the context window and does not retry.
    expect(run.stderr, transcript).toContain('context window');
    expect(bodies).toHaveLength(2);
    expect(toolResults(bodies[1]!).get('call_ovf_1')).toContain('overflow-step');
  },
};

export const resumedSession: E2EScenario = {
  id: 'resumed-session',
  websocket: true,
  title: 'resumed session (codex exec resume): the whole history, reasoning included, is accepted by a thinking model',
  prompt: 'Write the note',
  followUpPrompt: 'What did the command print?',
  thinking: 'deepseek',
  script: (request, index) => {
    if (index === 0) {
      return chatAnswer({
        style: 'deepseek',
        reasoning: 'Write it with printf.',
        toolCalls: [
          {
            id: 'call_00_note',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'printf resumed > note.txt && echo note-written' }),
          },
        ],
      });
    }
    if (index === 1) return chatAnswer({ style: 'deepseek', reasoning: 'Done.', text: 'first run done' });
    const printed = toolResults(request.body).get('call_00_note') ?? '';
    return chatAnswer({
      style: 'deepseek',
      reasoning: 'Look at the earlier output.',
      text: printed.includes('note-written') ? 'it printed note-written' : 'I lost the earlier output',
    });
  },
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(3);
    const resumed = bodies[2]!;
    expect(lastUserText(resumed)).toBe('What did the command print?');
    expect(assistantToolCallMessages(resumed).map((message) => message.reasoning_content)).toEqual([
      'Write it with printf.',
    ]);
    expect(
      messages(resumed).some((message) => message.role === 'assistant' && message.content === 'first run done'),
    ).toBe(true);
    expect(run.lastMessage?.trim(), transcript).toBe('it printed note-written');
  },
};
