/**
 * Gemini (OpenAI-compatible endpoint): thought signatures on tool calls
 * carried back on the same call, the documented placeholder for calls
 * without one, tool-call deltas without `index`, effort per model, and
 * RESOURCE_EXHAUSTED errors with RetryInfo.
 */
import { describe, expect, it } from 'vitest';
import { geminiProvider, PLACEHOLDER_THOUGHT_SIGNATURE } from '../../src/providers/gemini.js';
import { assistantMessages, chatBodyFor, chunk, classify, functionTool, streamThrough } from './support.js';

const TOOLS = [functionTool('read'), functionTool('list')];
const MODEL = 'gemini-3-flash-preview';

function signature(call: Record<string, any>): unknown {
  return call.extra_content?.google?.thought_signature;
}

describe('Gemini thought signatures', () => {
  it('carries the signature of a streamed call (sent without index) back on the same call', () => {
    const { output } = streamThrough(
      geminiProvider,
      [
        chunk({
          role: 'assistant',
          tool_calls: [
            {
              id: 'function-call-1',
              type: 'function',
              function: { name: 'read', arguments: '{"path":"a.md"}' },
              extra_content: { google: { thought_signature: 'CsQBAe2+sig==' } },
            },
          ],
        }),
        chunk({
          tool_calls: [
            { id: 'function-call-2', type: 'function', function: { name: 'list', arguments: '{"path":"."}' } },
          ],
        }),
        chunk({}, 'tool_calls'),
      ],
      { model: MODEL, tools: TOOLS },
    );
    expect(output.map((item) => item.type)).toEqual(['function_call', 'function_call', 'reasoning']);
    const next = chatBodyFor(geminiProvider, {
      model: MODEL,
      tools: TOOLS,
      input: [
        { type: 'message', role: 'user', content: 'look around' },
        ...output,
        { type: 'function_call_output', call_id: 'function-call-1', output: 'A' },
        { type: 'function_call_output', call_id: 'function-call-2', output: 'B' },
      ],
    });
    const assistant = assistantMessages(next)[0]!;
    expect(assistant.tool_calls.map((call: Record<string, any>) => [call.id, signature(call)])).toEqual([
      ['function-call-1', 'CsQBAe2+sig=='],
      ['function-call-2', undefined],
    ]);
    expect(assistant).not.toHaveProperty('reasoning_content');
  });

  it('gives a Gemini 3 tool call from elsewhere the documented placeholder, and leaves Gemini 2.5 alone', () => {
    const input = [
      { type: 'message', role: 'user', content: 'x' },
      { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'from another model' }] },
      { type: 'function_call', call_id: 'call_1', name: 'read', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'y' },
    ];
    const gemini3 = assistantMessages(
      chatBodyFor(geminiProvider, { model: 'gemini-3.1-pro-preview', tools: TOOLS, input }),
    )[0]!;
    expect(signature(gemini3.tool_calls[0])).toBe(PLACEHOLDER_THOUGHT_SIGNATURE);
    expect(gemini3).not.toHaveProperty('reasoning_content');
    const gemini25 = assistantMessages(
      chatBodyFor(geminiProvider, { model: 'gemini-2.5-pro', tools: TOOLS, input }),
    )[0]!;
    expect(gemini25.tool_calls[0]).not.toHaveProperty('extra_content');
  });
});

describe('Gemini reasoning effort', () => {
  it('fits the effort to what each model takes', () => {
    const effort = (model: string, requested: string) =>
      chatBodyFor(geminiProvider, { model, input: 'x', reasoning: { effort: requested } }).reasoning_effort;
    expect(effort('gemini-3-flash-preview', 'minimal')).toBe('minimal');
    expect(effort('gemini-3-pro-preview', 'medium')).toBe('high');
    expect(effort('gemini-3.1-pro-preview', 'minimal')).toBe('low');
    expect(effort('gemini-2.5-flash', 'none')).toBe('none');
    expect(effort('gemini-2.5-pro', 'none')).toBeUndefined();
  });
});

describe('Gemini errors', () => {
  const exhausted = (quotaId: string) => [
    {
      error: {
        code: 429,
        message: 'You exceeded your current quota, please check your plan and billing details.',
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              { quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
        ],
      },
    },
  ];

  it('maps a per-minute RESOURCE_EXHAUSTED to a rate limit with the RetryInfo delay', () => {
    const failure = classify(geminiProvider, 429, exhausted('GenerateRequestsPerMinutePerProjectPerModel-FreeTier'));
    expect(failure).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSeconds: 37 });
    expect(failure.message).toMatch(/try again in 37s/);
  });

  it('maps a spent daily quota to insufficient_quota', () => {
    expect(classify(geminiProvider, 429, exhausted('GenerateRequestsPerDayPerProjectPerModel-FreeTier')).code).toBe(
      'insufficient_quota',
    );
  });

  it('reads errors wrapped in an array: overload and an over-long prompt', () => {
    expect(
      classify(geminiProvider, 503, [
        { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
      ]).code,
    ).toBe('server_is_overloaded');
    const long = [
      {
        error: {
          code: 400,
          message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
          status: 'INVALID_ARGUMENT',
        },
      },
    ];
    expect(classify(geminiProvider, 400, long).code).toBe('context_length_exceeded');
  });
});
