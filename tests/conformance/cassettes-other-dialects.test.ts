/**
 * The recorded provider streams of `../shared/cassettes/` replayed through the
 * other two dialects: Anthropic's SDK reading /v1/messages and the openai
 * SDK reading /v1/chat/completions must each see exactly the text, reasoning,
 * tool calls and usage the recording holds (derived from the recorded chunks,
 * as in cassettes.test.ts).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  CASSETTES_DIR,
  listCassettes,
  loadInteractions,
  type RecordedOutcome,
  recordedOutcome,
  replayingRelay,
} from '../support/cassettes.js';
import { missingSharedMessage } from '../support/shared-material.js';

type Json = Record<string, any>;

const cassettesMissing = missingSharedMessage(CASSETTES_DIR);

describe('recorded provider streams through /v1/messages and /v1/chat/completions', () => {
  if (cassettesMissing !== undefined) {
    it('replays every cassette', (context) => context.skip(cassettesMissing));
    return;
  }

  const replaying = replayingRelay();

  for (const file of listCassettes()) {
    for (const interaction of loadInteractions(file)) {
      const expected = recordedOutcome(interaction);
      // Only answers the model finished: a truncated recording has no complete tool call to compare.
      if (expected.finishReason === undefined) continue;

      it(`${interaction.name} as Anthropic messages.stream()`, async () => {
        replaying.current = interaction;
        const anthropic = new Anthropic({ apiKey: 'k', baseURL: replaying.relay.url, maxRetries: 0 });
        const tools = ((interaction.request.tools ?? []) as Json[]).map((tool) => ({
          name: tool.function.name,
          description: tool.function.description ?? '',
          input_schema: tool.function.parameters ?? { type: 'object' },
        }));
        const message = await anthropic.messages
          .stream({
            model: 'recorded-model',
            max_tokens: 1000,
            messages: [{ role: 'user', content: 'replay' }],
            ...(tools.length > 0 ? { tools } : {}),
          })
          .finalMessage();
        const blocks = message.content as Json[];
        expect(
          blocks
            .filter((block) => block.type === 'text')
            .map((block) => block.text)
            .join(''),
        ).toBe(expected.text);
        expect(
          blocks
            .filter((block) => block.type === 'thinking')
            .map((block) => block.thinking)
            .join(''),
        ).toBe(expected.reasoning);
        const calls = blocks.filter((block) => block.type === 'tool_use');
        expect(calls.map((call) => ({ name: call.name, input: call.input }))).toEqual(
          expected.toolCalls.map((call) => ({ name: call.name, input: JSON.parse(call.arguments || '{}') })),
        );
        expect(message.stop_reason).toBe(stopReason(expected));
        if (expected.usage)
          expect(message.usage.output_tokens).toBe(expected.usage.total_tokens - expected.usage.prompt_tokens);
      });

      it(`${interaction.name} as openai chat.completions`, async () => {
        replaying.current = interaction;
        const openai = new OpenAI({ apiKey: 'k', baseURL: `${replaying.relay.url}/v1`, maxRetries: 0 });
        const { stream: _stream, stream_options: _options, ...recorded } = interaction.request;
        const stream = openai.chat.completions.stream({
          ...(recorded as OpenAI.ChatCompletionCreateParamsStreaming),
          stream: true,
          stream_options: { include_usage: true },
        });
        // The SDK keeps only the fields it knows; reasoning is read from the chunks.
        let reasoning = '';
        stream.on('chunk', (chunk) => {
          const delta = chunk.choices[0]?.delta as
            | { reasoning_content?: string | null; reasoning?: string | null }
            | undefined;
          reasoning += delta?.reasoning_content ?? delta?.reasoning ?? '';
        });
        const completion = await stream.finalChatCompletion();
        const message = completion.choices[0]!.message;
        // Passed through as the provider sent it, whitespace between tool calls included.
        expect((message.content ?? '').trim()).toBe(expected.text.trim());
        expect(reasoning).toBe(expected.reasoning);
        const calls = message.tool_calls ?? [];
        expect(
          calls.map((call) =>
            call.type === 'function' ? { name: call.function.name, arguments: call.function.arguments } : call,
          ),
        ).toEqual(expected.toolCalls.map((call) => ({ name: call.name, arguments: call.arguments })));
        if (expected.usage)
          expect(completion.usage).toMatchObject({
            prompt_tokens: expected.usage.prompt_tokens,
            total_tokens: expected.usage.total_tokens,
          });
        // The recorded conversation reached the upstream as it was recorded (the generic profile may add its own reasoning field).
        const sent = replaying.upstream.requests.at(-1)!.body.messages as Json[];
        (interaction.request.messages as Json[]).forEach((recordedMessage, index) =>
          expect(sent[index]).toMatchObject(recordedMessage),
        );
        expect(sent).toHaveLength(interaction.request.messages.length);
      });
    }
  }
});

function stopReason(expected: RecordedOutcome): string {
  if (expected.finishReason === 'length') return 'max_tokens';
  if (expected.finishReason === 'content_filter') return 'refusal';
  return expected.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}
