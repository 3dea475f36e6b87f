/**
 * Real provider streams replayed through the relay: every interaction in
 * `../shared/cassettes/` (Kimi via Avian, Groq and Hugging Face; xAI; GLM;
 * llama.cpp; OpenRouter with Anthropic, Gemini, GLM, Grok, Kimi and OpenAI
 * models; streaming and JSON; tools, parallel tools, thinking) is served byte
 * for byte by a loopback upstream. The relay must report exactly the text,
 * reasoning, tool calls and usage the recording holds (derived from the
 * recorded chunks, not from the relay's code), with every event schema-valid
 * and in order (readSse and the live observer check that), both streamed and
 * as a whole Response object.
 */
import { describe, expect, it } from 'vitest';
import { decodeReasoningEnvelope } from '../../src/translate/reasoning-envelope.js';
import {
  CASSETTES_DIR,
  listCassettes,
  loadInteractions,
  type RecordedInteraction,
  type RecordedOutcome,
  recordedOutcome,
  replayingRelay,
  responsesRequestFor,
} from '../support/cassettes.js';
import { loadResponsesSchemas, specMissingMessage } from '../support/openai-spec.js';
import { readSse } from '../support/relay.js';
import { missingSharedMessage } from '../support/shared-material.js';

type Json = Record<string, any>;

const cassettesMissing = missingSharedMessage(CASSETTES_DIR);

describe('recorded provider streams through the relay', () => {
  if (cassettesMissing !== undefined) {
    it('replays every cassette', (context) => context.skip(cassettesMissing));
    return;
  }

  const replaying = replayingRelay();

  /** Sends the interaction and reads the whole answer (a stream starts before the upstream is called). */
  async function send(interaction: RecordedInteraction, stream: boolean): Promise<Response> {
    replaying.current = interaction;
    const before = replaying.upstream.requests.length;
    const response = await fetch(`${replaying.relay.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...responsesRequestFor(interaction.request), stream }),
    });
    expect(response.status, await peekError(response)).toBe(200);
    const text = await response.text();
    expect(replaying.upstream.requests.length).toBe(before + 1);
    expectRecordedConversation(replaying.upstream.requests.at(-1)!.body, interaction.request);
    return new Response(text, { status: response.status, headers: response.headers });
  }

  it('covers every provider and host that was recorded', () => {
    const groups = new Set(listCassettes().map((file) => file.split('/').slice(0, 2).join('/')));
    for (const expected of [
      'TestOpenAICompatibleCommon/avian-kimi',
      'TestOpenAICompatibleCommon/groq-kimi-k2',
      'TestOpenAICompatibleCommon/huggingface-kimi-k2',
      'TestOpenAICompatibleCommon/xai-grok-4-fast',
      'TestOpenAICompatibleCommon/xai-grok-code-fast',
      'TestOpenAICompatibleCommon/zai-glm-4-7-flash',
      'TestOpenAICompatibleCommon/llama-cpp-gpt-oss',
      'TestOpenAICompatibleThinking/xai-grok-3-mini',
      'TestOpenAICompatObjectGeneration/xai-grok-4-fast',
      'TestOpenRouterCommon/anthropic',
      'TestOpenRouterCommon/gemini',
      'TestOpenRouterCommon/glm',
      'TestOpenRouterCommon/grok',
      'TestOpenRouterCommon/kimi',
      'TestOpenRouterCommon/openai',
      'TestOpenRouterThinking/anthropic',
    ]) {
      expect(groups).toContain(expected);
    }
  });

  it('validates every event against the official OpenAI spec', (context) => {
    const missing = specMissingMessage();
    context.skip(missing !== undefined, `${missing}: the replays below check the ordering rules only`);
    expect(loadResponsesSchemas()).toBeDefined();
  });

  for (const file of listCassettes()) {
    for (const interaction of loadInteractions(file)) {
      const expected = recordedOutcome(interaction);

      it(`${interaction.name} streamed`, async () => {
        const events = await readSse(await send(interaction, true));
        const terminal = events.at(-1)!;
        expectRecordedOutcome(terminal.response, expected);
        // The deltas carry the same content as the final items.
        const textDeltas = events
          .filter((event) => event.type === 'response.output_text.delta')
          .map((event) => event.delta);
        expect(textDeltas.join('')).toBe(expected.text);
        const reasoningDeltas = events
          .filter((event) => event.type === 'response.reasoning_text.delta')
          .map((event) => event.delta);
        expect(reasoningDeltas.join('')).toBe(expected.reasoning);
      });

      it(`${interaction.name} whole (stream: false)`, async () => {
        const body = (await (await send(interaction, false)).json()) as Json;
        const schemas = loadResponsesSchemas();
        if (schemas) expect(schemas.validateResponse(body)).toEqual([]);
        expectRecordedOutcome(body, expected);
      });
    }
  }
});

async function peekError(response: Response): Promise<string> {
  return response.status === 200 ? '' : await response.clone().text();
}

/** The Response object reports what the provider produced, nothing more or less. */
function expectRecordedOutcome(response: Json, expected: RecordedOutcome): void {
  const output = response.output as Json[];
  expect(response.status).toBe(
    expected.finishReason === 'length' || expected.finishReason === 'content_filter' ? 'incomplete' : 'completed',
  );

  const text = output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content.map((part: Json) => part.text));
  expect(text.join('')).toBe(expected.text);

  const reasoning = output.filter((item) => item.type === 'reasoning');
  expect(reasoning.flatMap((item) => item.content.map((part: Json) => part.text)).join('')).toBe(expected.reasoning);
  const envelopes = JSON.stringify(reasoning.map((item) => decodeReasoningEnvelope(item.encrypted_content) ?? null));
  for (const value of expected.opaque) expect(envelopes).toContain(value);

  const calls = output.filter((item) => item.type === 'function_call');
  expect(calls.map((call) => ({ name: call.name, arguments: call.arguments }))).toEqual(
    expected.toolCalls.map((call) => ({ name: call.name, arguments: call.arguments })),
  );
  calls.forEach((call, index) => {
    const id = expected.toolCalls[index]!.id;
    if (id !== undefined) expect(call.call_id).toBe(id);
    else expect(call.call_id).toMatch(/\S/);
  });

  expect(response.usage).toEqual(expectedUsage(expected.usage));
}

/**
 * Responses usage from the provider's numbers. output_tokens is everything the
 * model generated, total − prompt: most providers count reasoning inside
 * completion_tokens, xAI reports it beside them (its total includes it).
 */
function expectedUsage(usage: Json | undefined): Json | undefined {
  if (usage === undefined) return undefined;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      cache_write_tokens: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    },
    output_tokens: usage.total_tokens - usage.prompt_tokens,
    output_tokens_details: { reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage.total_tokens,
  };
}

/** The relay sent the recorded conversation upstream: same roles, texts, tool calls and tool results. */
function expectRecordedConversation(sent: Json, recorded: Json): void {
  const shape = (messages: Json[]) =>
    messages.map((message) => ({
      role: message.role,
      ...(message.role === 'assistant'
        ? {
            tool_calls: (message.tool_calls ?? []).map((call: Json) => [
              call.id,
              call.function.name,
              call.function.arguments,
            ]),
          }
        : { content: message.content }),
      ...(message.role === 'tool' ? { tool_call_id: message.tool_call_id } : {}),
    }));
  expect(shape(sent.messages)).toEqual(shape(recorded.messages));
  expect((sent.tools ?? []).map((tool: Json) => tool.function.name)).toEqual(
    (recorded.tools ?? []).map((tool: Json) => tool.function.name),
  );
  for (const [index, message] of (recorded.messages as Json[]).entries()) {
    if (message.role === 'assistant' && typeof message.reasoning_content === 'string') {
      expect(sent.messages[index].reasoning_content).toBe(message.reasoning_content);
    }
  }
}
