/** LM Studio: json_object output sent as a json_schema, no effort control, reasoning from either field. */
import { describe, expect, it } from 'vitest';
import { lmStudioProvider } from '../../src/providers/lm-studio.js';
import { chatBodyFor, chunk, deltaText, streamThrough } from './support.js';

describe('LM Studio', () => {
  it('sends a json_object request as the schema of any object, and json_schema unchanged', () => {
    expect(
      chatBodyFor(lmStudioProvider, { input: 'x', text: { format: { type: 'json_object' } } }).response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'json_object', schema: { type: 'object' } },
    });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(
      chatBodyFor(lmStudioProvider, {
        input: 'x',
        text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
      }).response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'out', schema, strict: true },
    });
  });

  it('sends no effort, and reads reasoning from reasoning_content or reasoning', () => {
    expect(chatBodyFor(lmStudioProvider, { input: 'x', reasoning: { effort: 'high' } })).not.toHaveProperty(
      'reasoning_effort',
    );
    for (const field of ['reasoning_content', 'reasoning']) {
      const { events } = streamThrough(lmStudioProvider, [
        chunk({ [field]: 'hmm' }),
        chunk({ content: 'ok' }),
        chunk({}, 'stop'),
      ]);
      expect(deltaText(events, 'response.reasoning_text.delta'), field).toBe('hmm');
    }
  });
});
