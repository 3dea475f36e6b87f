/**
 * Fields providers add to Chat chunks (Mistral `thinking` parts, Gemini
 * thought signatures, Groq's `x_groq` usage) reach the stream only through
 * the provider hooks: the generic defaults read them, and a profile whose
 * hooks do not sees plain chunks.
 */
import { describe, expect, it } from 'vitest';
import {
  readGoogleThoughtSignature,
  readThinkingPart,
  readUsageWithGroq,
} from '../../src/providers/chunk-extensions.js';
import { defineProvider } from '../../src/providers/define-provider.js';
import { genericProvider } from '../../src/providers/generic.js';
import { chunk, deltaText, functionTool, streamThrough } from './support.js';

const THINKING = chunk({
  content: [
    { type: 'thinking', thinking: [{ type: 'text', text: 'think' }] },
    { type: 'text', text: 'answer' },
  ],
});
const SIGNED_CALL = chunk({
  tool_calls: [
    {
      id: 'g1',
      type: 'function',
      function: { name: 'exec_command', arguments: '{}' },
      extra_content: { google: { thought_signature: 'SIG' } },
    },
  ],
});
const GROQ_USAGE = { choices: [], x_groq: { usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 } } };
const TOOLS = { tools: [functionTool('exec_command')] };

/** A profile whose hooks read none of the extensions. */
const plainProfile = defineProvider({
  id: 'plain',
  displayName: 'Plain',
  hooks: {
    readReasoningPart: () => undefined,
    readToolCallSignature: () => undefined,
    readUsage: (value) => value.usage ?? undefined,
  },
});

describe('chunk extensions', () => {
  it('are read by the readers each provider relies on', () => {
    expect(
      readThinkingPart({
        type: 'thinking',
        thinking: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      }),
    ).toBe('ab');
    expect(readThinkingPart({ type: 'thinking', thinking: 'plain' })).toBe('plain');
    expect(readThinkingPart({ type: 'image_url' })).toBeUndefined();
    expect(readGoogleThoughtSignature({ extra_content: { google: { thought_signature: 'SIG' } } })).toBe('SIG');
    expect(readGoogleThoughtSignature({ extra_content: { google: { thought_signature: '' } } })).toBeUndefined();
    expect(readUsageWithGroq(GROQ_USAGE)).toEqual(GROQ_USAGE.x_groq.usage);
    expect(
      readUsageWithGroq({
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        x_groq: GROQ_USAGE.x_groq,
      })?.total_tokens,
    ).toBe(2);
  });

  it('reach the stream through the generic hooks', () => {
    const thinking = streamThrough(genericProvider, [THINKING, chunk({}, 'stop')]);
    expect(deltaText(thinking.events, 'response.reasoning_text.delta')).toBe('think');
    const signed = streamThrough(genericProvider, [SIGNED_CALL, chunk({}, 'tool_calls')], TOOLS);
    expect(signed.output.map((item) => item.type)).toEqual(['function_call', 'reasoning']);
    expect(
      streamThrough(genericProvider, [chunk({ content: 'x' }, 'stop'), GROQ_USAGE]).response.usage?.total_tokens,
    ).toBe(14);
  });

  it('are not read by the stream when the profile hooks do not read them', () => {
    const thinking = streamThrough(plainProfile, [THINKING, chunk({}, 'stop')]);
    expect(thinking.output.map((item) => item.type)).toEqual(['message']);
    const signed = streamThrough(plainProfile, [SIGNED_CALL, chunk({}, 'tool_calls')], TOOLS);
    expect(signed.output.map((item) => item.type)).toEqual(['function_call']);
    expect(streamThrough(plainProfile, [chunk({ content: 'x' }, 'stop'), GROQ_USAGE]).response.usage).toBeUndefined();
  });
});
