/** Ollama: reasoning in `reasoning` both ways, reasoning_effort none..high, inline images only, whole tool calls. */
import { describe, expect, it } from 'vitest';
import { ollamaProvider } from '../../src/providers/ollama.js';
import { assistantMessages, chatBodyFor, chunk, deltaText, functionTool, streamThrough } from './support.js';

describe('Ollama', () => {
  it('reads `reasoning` and a whole tool call from one chunk', () => {
    const { events, output } = streamThrough(
      ollamaProvider,
      [
        chunk({ reasoning: 'Look first.' }),
        chunk({
          tool_calls: [
            { id: 'call_ab12cd34', index: 0, type: 'function', function: { name: 'read', arguments: '{"path":"a"}' } },
          ],
        }),
        chunk({}, 'tool_calls'),
      ],
      { model: 'gpt-oss:20b', tools: [functionTool('read')] },
    );
    expect(deltaText(events, 'response.reasoning_text.delta')).toBe('Look first.');
    expect(output[1]).toMatchObject({ type: 'function_call', call_id: 'call_ab12cd34', arguments: '{"path":"a"}' });
  });

  it('sends reasoning back as `reasoning`', () => {
    const sent = chatBodyFor(ollamaProvider, {
      model: 'gpt-oss:20b',
      tools: [functionTool('read')],
      input: [
        { type: 'message', role: 'user', content: 'x' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'Look first.' }] },
        { type: 'function_call', call_id: 'call_ab12cd34', name: 'read', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_ab12cd34', output: 'y' },
      ],
    });
    const assistant = assistantMessages(sent)[0]!;
    expect(assistant.reasoning).toBe('Look first.');
    expect(assistant).not.toHaveProperty('reasoning_content');
  });

  it('passes reasoning_effort including "none"', () => {
    expect(
      chatBodyFor(ollamaProvider, { model: 'qwen3:8b', input: 'x', reasoning: { effort: 'none' } }).reasoning_effort,
    ).toBe('none');
    expect(
      chatBodyFor(ollamaProvider, { model: 'qwen3:8b', input: 'x', reasoning: { effort: 'xhigh' } }).reasoning_effort,
    ).toBe('high');
  });

  it('sends inline images and describes linked ones', () => {
    const sent = chatBodyFor(ollamaProvider, {
      model: 'llava',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'compare' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' },
            { type: 'input_image', image_url: 'https://example.com/cat.png' },
          ],
        },
      ],
    });
    expect(sent.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'compare' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        {
          type: 'text',
          text: '[image not sent: Ollama accepts only inline images; it is at https://example.com/cat.png]',
        },
      ],
    });
  });
});
