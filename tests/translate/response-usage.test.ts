/**
 * `usage` in the Response object, as the official schema defines it: an
 * object with every required detail, or no field at all — never null.
 */
import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../src/translate/chat-types.js';
import { deltaChunk, finishChunk, textChunks, usageChunk } from '../support/mock-upstream.js';
import { createTestTranslator, type TestEvent } from '../support/translator.js';

function translate(chunks: object[]): TestEvent[] {
  const translator = createTestTranslator();
  return [
    ...translator.start(),
    ...chunks.flatMap((chunk) => translator.onChunk(chunk as ChatChunk)),
    ...translator.finish(),
  ];
}

describe('Response usage', () => {
  it('is absent (not null) until the upstream reported it', () => {
    const events = translate([...textChunks('hi'), finishChunk('stop')]);
    for (const event of events.filter((event) => 'response' in event)) {
      expect(event.response).not.toHaveProperty('usage');
    }
  });

  it('appears on the terminal response only, once known', () => {
    const events = translate([...textChunks('hi'), finishChunk('stop'), usageChunk(7, 2)]);
    expect(events[0]!.response).not.toHaveProperty('usage');
    expect((events.at(-1)!.response as { usage?: unknown }).usage).toEqual({
      input_tokens: 7,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 9,
    });
  });

  it('carries cache reads and writes when the provider reports them (OpenRouter shape)', () => {
    const usage = usageChunk(100, 10, { prompt_tokens_details: { cached_tokens: 60, cache_write_tokens: 30 } });
    const events = translate([deltaChunk({ content: 'ok' }), finishChunk('stop'), usage]);
    expect(
      (events.at(-1)!.response as { usage: { input_tokens_details: unknown } }).usage.input_tokens_details,
    ).toEqual({
      cached_tokens: 60,
      cache_write_tokens: 30,
    });
  });

  it('counts reasoning a provider reports beside completion_tokens (xAI) into output_tokens', () => {
    // Recorded from grok-3-mini: total = prompt + completion + reasoning.
    const xai = usageChunk(288, 27, { total_tokens: 665, completion_tokens_details: { reasoning_tokens: 350 } });
    const events = translate([deltaChunk({ content: 'ok' }), finishChunk('stop'), xai]);
    expect((events.at(-1)!.response as { usage: unknown }).usage).toMatchObject({
      input_tokens: 288,
      output_tokens: 377,
      total_tokens: 665,
    });
  });

  it('leaves output_tokens alone when completion_tokens already include reasoning', () => {
    // Recorded from GLM 4.7 flash: total = prompt + completion.
    const glm = usageChunk(173, 88, { total_tokens: 261, completion_tokens_details: { reasoning_tokens: 62 } });
    const events = translate([deltaChunk({ content: 'ok' }), finishChunk('stop'), glm]);
    expect((events.at(-1)!.response as { usage: unknown }).usage).toMatchObject({
      output_tokens: 88,
      output_tokens_details: { reasoning_tokens: 62 },
      total_tokens: 261,
    });
  });
});
