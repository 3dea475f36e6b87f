/**
 * OpenRouter: reasoning_details carried back unchanged and in order (checked
 * against what a real client sent back in recordings), reasoning
 * effort as `reasoning.effort`, in-stream errors after HTTP 200, comment
 * lines in the SSE stream.
 */
import { describe, expect, it } from 'vitest';
import { openRouterProvider } from '../../src/providers/openrouter.js';
import type { RunningRelay } from '../../src/server/start-server.js';
import { decodeReasoningEnvelope } from '../../src/translate/reasoning-envelope.js';
import { deltaChunk, finishChunk, type MockUpstream, textChunks } from '../support/mock-upstream.js';
import { readSse } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';
import {
  assistantMessages,
  cassetteOrSkip,
  chatBodyFor,
  chunk,
  classify,
  deltaText,
  streamThrough,
} from './support.js';

/** The weather tool the recordings declared, in Responses form. */
const WEATHER_TOOL = {
  type: 'function',
  name: 'weather',
  description: 'Get weather information for a location',
  strict: false,
  parameters: {
    type: 'object',
    properties: { location: { type: 'string', description: 'the city' } },
    required: ['location'],
  },
};

/**
 * Replays the first recorded turn through the relay, then builds the second
 * request from the relay's output the way Codex would, and compares the
 * reasoning sent back with what the recorded client sent (and OpenRouter
 * accepted).
 */
function replayAndEcho(interactions: ReturnType<typeof cassetteOrSkip>) {
  const [first, second] = interactions;
  const model = first!.requestBody.model as string;
  const streamed = streamThrough(openRouterProvider, first!.chunks, { model, tools: [WEATHER_TOOL] });
  const calls = streamed.output.filter((item) => item.type === 'function_call') as Array<{ call_id: string }>;
  const recordedToolMessages = (second!.requestBody.messages as Array<Record<string, any>>).filter(
    (message) => message.role === 'tool',
  );
  const next = chatBodyFor(openRouterProvider, {
    model,
    tools: [WEATHER_TOOL],
    input: [
      { type: 'message', role: 'user', content: 'What is the weather?' },
      ...streamed.output,
      ...calls.map((call, index) => ({
        type: 'function_call_output',
        call_id: call.call_id,
        output: recordedToolMessages[index]!.content,
      })),
    ],
  });
  const recorded = (second!.requestBody.messages as Array<Record<string, any>>).find(
    (message) => message.role === 'assistant',
  )!;
  return { streamed, sent: assistantMessages(next)[0]!, recorded };
}

describe('OpenRouter reasoning_details round trip (recordings)', () => {
  it('Anthropic thinking: text pieces and the signature come back as one entry, unchanged', (context) => {
    const interactions = cassetteOrSkip(context, 'TestOpenRouterThinking/anthropic/thinking-streaming.yaml');
    const { streamed, sent, recorded } = replayAndEcho(interactions);
    expect(deltaText(streamed.events, 'response.reasoning_text.delta')).toBe(recorded.reasoning);
    expect(sent.reasoning_details).toEqual(recorded.reasoning_details);
    expect(sent.tool_calls.map((call: { id: string }) => call.id)).toEqual(
      recorded.tool_calls.map((call: { id: string }) => call.id),
    );
    expect(streamed.response.usage).toMatchObject({
      input_tokens: 607,
      output_tokens: 143,
      output_tokens_details: { reasoning_tokens: 99 },
      total_tokens: 750,
    });
  });

  it('Gemini 3: an encrypted entry that came before the tool call comes back in place', (context) => {
    const { streamed, sent, recorded } = replayAndEcho(
      cassetteOrSkip(context, 'TestOpenRouterCommon/gemini/tool_streaming.yaml'),
    );
    expect(streamed.output.map((item) => item.type)).toEqual(['function_call', 'reasoning']);
    expect(
      decodeReasoningEnvelope((streamed.output[1] as { encrypted_content: string }).encrypted_content)?.details,
    ).toEqual(recorded.reasoning_details);
    expect(sent.reasoning_details).toEqual(recorded.reasoning_details);
  });

  it('Gemini 3 with parallel calls keeps one entry for the turn', (context) => {
    const { sent, recorded } = replayAndEcho(
      cassetteOrSkip(context, 'TestOpenRouterCommon/gemini/multi_tool_streaming.yaml'),
    );
    expect(sent.tool_calls).toHaveLength(2);
    expect(sent.reasoning_details).toEqual(recorded.reasoning_details);
  });

  it('Kimi K2.5: reasoning.text pieces come back as one entry', (context) => {
    const { streamed, sent, recorded } = replayAndEcho(
      cassetteOrSkip(context, 'TestOpenRouterCommon/kimi/tool_streaming.yaml'),
    );
    const streamedText = deltaText(streamed.events, 'response.reasoning_text.delta');
    // The recorded client lost the first piece (" The") when it sent this back; the relay keeps every piece.
    expect(streamedText.startsWith(' The user is asking')).toBe(true);
    expect(recorded.reasoning_details[0].text).toBe(streamedText.slice(' The'.length));
    expect(sent.reasoning_details).toEqual([{ ...recorded.reasoning_details[0], text: streamedText }]);
    expect(sent).not.toHaveProperty('reasoning_content');
  });

  it('sends plain reasoning text as `reasoning` when there are no details', () => {
    const body = chatBodyFor(openRouterProvider, {
      input: [
        { type: 'message', role: 'user', content: 'x' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'thought' }] },
        { type: 'message', role: 'assistant', content: 'y' },
        { type: 'message', role: 'user', content: 'z' },
      ],
    });
    expect(assistantMessages(body)[0]).toEqual({ role: 'assistant', content: 'y', reasoning: 'thought' });
  });
});

describe('OpenRouter reasoning effort', () => {
  it('sends reasoning.effort, never reasoning_effort', () => {
    const cases: Array<[string, string]> = [
      ['none', 'none'],
      ['minimal', 'minimal'],
      ['medium', 'medium'],
      ['max', 'xhigh'],
    ];
    for (const [requested, sent] of cases) {
      const body = chatBodyFor(openRouterProvider, {
        model: 'moonshotai/kimi-k2.6',
        input: 'x',
        reasoning: { effort: requested },
      });
      expect(body.reasoning, requested).toEqual({ effort: sent });
      expect(body, requested).not.toHaveProperty('reasoning_effort');
    }
  });
});

describe('OpenRouter errors', () => {
  function failedCode(errorChunk: object): unknown {
    const { response, failure } = streamThrough(openRouterProvider, [chunk({ content: 'partial' }), errorChunk]);
    expect(response.status).toBe('failed');
    // The classification; what Codex is sent for it is responseErrorCode's (tests/translate/failure-codes.test.ts).
    return failure?.code;
  }

  it('reads the status an in-stream error carries in error.code', () => {
    const rate = {
      id: 'gen-1',
      object: 'chat.completion.chunk',
      error: { code: 429, message: 'Rate limit exceeded, please try again in 12s' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    };
    expect(failedCode(rate)).toBe('rate_limit_exceeded');
    const overloaded = {
      error: { code: 503, message: 'Provider returned error' },
      choices: [{ index: 0, delta: {}, finish_reason: 'error' }],
    };
    expect(failedCode(overloaded)).toBe('server_is_overloaded');
    const context = {
      error: {
        code: 400,
        message: 'Provider returned error',
        metadata: { raw: "This model's maximum context length is 262144 tokens" },
      },
    };
    expect(failedCode(context)).toBe('context_length_exceeded');
  });

  it('keeps Retry-After from the headers of a 429 and maps 402 to insufficient_quota', () => {
    expect(
      classify(openRouterProvider, 429, { error: { code: 429, message: 'Rate limit exceeded' } }, 20),
    ).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSeconds: 20 });
    expect(classify(openRouterProvider, 402, { error: { code: 402, message: 'Insufficient credits' } }).code).toBe(
      'insufficient_quota',
    );
  });
});

describe('OpenRouter over HTTP', () => {
  const servers = useTestServers();
  let upstream: MockUpstream | undefined;
  let relay: RunningRelay | undefined;

  it('skips ": OPENROUTER PROCESSING" comments and sends reasoning.effort upstream', async () => {
    upstream = await servers.mockUpstream(() => ({
      kind: 'sse',
      chunks: [
        ': OPENROUTER PROCESSING\n\n',
        deltaChunk({ reasoning: 'r', reasoning_details: [{ type: 'reasoning.text', text: 'r', index: 0 }] }),
        ': OPENROUTER PROCESSING\n\n',
        ...textChunks('Hi'),
        finishChunk('stop'),
      ],
    }));
    relay = await servers.relay(upstream.baseUrl, { profile: openRouterProvider });
    const response = await fetch(`${relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'moonshotai/kimi-k2.6',
        input: 'hello',
        stream: true,
        reasoning: { effort: 'high' },
      }),
    });
    const events = await readSse(response);
    expect(events.at(-1)!.type).toBe('response.completed');
    expect(events.at(-1)!.response.output.map((item: { type: string }) => item.type)).toEqual(['reasoning', 'message']);
    expect(upstream.requests[0]!.body.reasoning).toEqual({ effort: 'high' });
  });
});
