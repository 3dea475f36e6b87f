/** The payload parser's shortcut must give what JSON.parse gives, for every payload. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkReader } from '../../src/upstream/chunk-reader.js';

const envelope = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, finishReason: string | null = null) =>
  JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }], ...extra });

/** What the translator reads from a chunk. */
function meaning(chunk: any) {
  return {
    choices: chunk.choices?.map((choice: any) => ({ delta: choice.delta, finish_reason: choice.finish_reason ?? null, usage: choice.usage })),
    usage: chunk.usage,
    error: chunk.error,
  };
}

function expectSameAsJsonParse(payloads: string[]) {
  const reader = new ChunkReader();
  for (const payload of payloads) expect(meaning(reader.read(payload))).toEqual(meaning(JSON.parse(payload)));
}

describe('ChunkReader', () => {
  it('reads text chunks after the first one through the shortcut, with the same result', () => {
    expectSameAsJsonParse([
      envelope({ role: 'assistant', content: '' }),
      envelope({ content: 'Hel' }),
      envelope({ content: 'lo "quoted" \\ back\nslash / and \t tab' }),
      envelope({ content: 'é ✓ 😀 \u2028' }),
      envelope({ content: '}],"finish_reason":"stop"' }),
      envelope({}, {}, 'stop'),
      JSON.stringify({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
    ]);
  });

  it('takes the shortcut once it has seen a text chunk (the envelope fields are not rebuilt)', () => {
    const reader = new ChunkReader();
    expect(reader.read(envelope({ content: 'first' }))).toHaveProperty('id', 'chatcmpl-1');
    const shortcut = reader.read(envelope({ content: 'second' }));
    expect(shortcut).not.toHaveProperty('id');
    expect(meaning(shortcut)).toEqual(meaning(JSON.parse(envelope({ content: 'second' }))));
  });

  it('parses in full whatever is not the same envelope around a string', () => {
    expectSameAsJsonParse([
      envelope({ content: 'a' }),
      envelope({ content: 'b' }, { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      envelope({ content: 'c' }),
      envelope({ content: 'd', reasoning_content: 'r' }),
      envelope({ content: 'e' }, {}, 'length'),
      envelope({ content: 'f' }, { error: { message: 'boom' } }),
      JSON.stringify({ id: 'other-id', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'g' }, finish_reason: null }] }),
    ]);
  });

  it('never takes the shortcut for text that is not a well-formed JSON string', () => {
    const reader = new ChunkReader();
    reader.read(envelope({ content: 'learned' }));
    const prefix = envelope({ content: 'X' }).split('X')[0]!;
    const suffix = envelope({ content: 'X' }).split('X')[1]!;
    for (const body of ['bad"quote', 'raw\u0001control', 'dangling\\', 'bad\\xescape', 'short\\u12']) {
      expect(() => reader.read(prefix + body + suffix)).toThrow(SyntaxError);
    }
  });

  it('keeps provider escapes it does not produce itself (\\u00e9, \\/) correct', () => {
    const reader = new ChunkReader();
    const raw = (text: string) => `{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${text}"},"finish_reason":null}]}`;
    for (const text of ['caf\\u00e9', 'a\\/b', 'plain', 'caf\\u00e9 again']) {
      expect(meaning(reader.read(raw(text)))).toEqual(meaning(JSON.parse(raw(text))));
    }
  });

  it('gives JSON.parse results for any text, envelope and sequence', () => {
    const chunk = fc.oneof(
      fc.record({ kind: fc.constant('text'), text: fc.string({ unit: 'binary' }) }),
      fc.record({ kind: fc.constant('reasoning'), text: fc.string() }),
      fc.record({ kind: fc.constant('finish'), reason: fc.constantFrom('stop', 'length', 'tool_calls') }),
      fc.record({ kind: fc.constant('id'), id: fc.string({ maxLength: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 30 }), (chunks) => {
        let id = 'c';
        const payloads = chunks.map((entry) => {
          if (entry.kind === 'id') id = entry.id;
          const base = { id, object: 'chat.completion.chunk', created: 1, model: 'm' };
          if (entry.kind === 'text') return JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: entry.text }, finish_reason: null }] });
          if (entry.kind === 'reasoning') return JSON.stringify({ ...base, choices: [{ index: 0, delta: { reasoning_content: entry.text }, finish_reason: null }] });
          if (entry.kind === 'finish') return JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: entry.reason }] });
          return JSON.stringify({ ...base, choices: [] });
        });
        expectSameAsJsonParse(payloads);
      }),
      { numRuns: 400 },
    );
  });
});
