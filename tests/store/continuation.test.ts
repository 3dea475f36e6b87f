/**
 * previous_response_id over HTTP on both backends: the whole chain is rebuilt
 * through the normal translator, instructions are not inherited, tools are
 * per request, branches are independent, `store: false` is never written and
 * stored reasoning reaches DeepSeek/Kimi-style upstreams.
 */
import OpenAI from 'openai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  finishChunk,
  type MockScript,
  reasoningChunks,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { createResponse, sentMessages, startHarness, stopHarnesses } from './http.js';
import { BACKENDS, removeTempDirectories, stopTestRedis } from './support.js';

afterEach(stopHarnesses);
afterAll(removeTempDirectories);
afterAll(stopTestRedis);

const EXEC_TOOL = {
  type: 'function',
  name: 'exec_command',
  parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
  strict: false,
} as const;

/** First reply: reasoning then a tool call; every later reply: text. */
const toolThenText: MockScript = (_request, index) =>
  index === 0
    ? {
        kind: 'sse',
        chunks: [
          ...reasoningChunks('Need to ', 'list files.'),
          ...toolCallChunks(0, 'call_ls', 'exec_command', '{"cmd":"ls"}'),
          finishChunk('tool_calls'),
        ],
      }
    : { kind: 'sse', chunks: [...textChunks(`answer ${index + 1}`), finishChunk('stop'), usageChunk(10, 2)] };

describe.each(BACKENDS)('previous_response_id on the %s store', (kind) => {
  it('rebuilds the whole chain for the openai SDK; instructions are not inherited, tools are per request', async () => {
    const { upstream, relay } = await startHarness(kind);
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${relay.url}/v1`, maxRetries: 0 });

    const first = await client.responses.create({
      model: 'mock-model',
      input: 'first question',
      instructions: 'Old instructions',
      tools: [EXEC_TOOL],
    });
    const second = await client.responses.create({
      model: 'mock-model',
      input: 'second question',
      previous_response_id: first.id,
      instructions: 'New instructions',
    });
    const stream = client.responses.stream({
      model: 'mock-model',
      input: [{ role: 'user', content: 'third question' }],
      previous_response_id: second.id,
    });
    const third = await stream.finalResponse();

    expect([first.output_text, second.output_text, third.output_text]).toEqual(['answer 1', 'answer 2', 'answer 3']);
    expect(second.previous_response_id).toBe(first.id);
    expect(third.previous_response_id).toBe(second.id);
    expect(sentMessages(upstream, 1)).toEqual([
      { role: 'system', content: 'New instructions' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: 'second question' },
    ]);
    expect(sentMessages(upstream, 2)).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: 'second question' },
      { role: 'assistant', content: 'answer 2' },
      { role: 'user', content: 'third question' },
    ]);
    expect(upstream.requests[0]!.body.tools).toHaveLength(1);
    expect(upstream.requests[1]!.body.tools).toBeUndefined();
  });

  it('keeps instruction items out of the stored conversation', async () => {
    const { upstream, relay } = await startHarness(kind);
    const first = await createResponse(relay, {
      input: 'question',
      instructions: [{ role: 'developer', content: 'Developer rules' }],
    });
    await createResponse(relay, {
      input: 'follow-up',
      previous_response_id: first.json.id,
      instructions: [{ role: 'developer', content: 'Newer rules' }],
    });
    expect(sentMessages(upstream, 1)).toEqual([
      { role: 'system', content: 'Newer rules' },
      { role: 'user', content: 'question' },
      { role: 'assistant', content: 'answer 1' },
      { role: 'user', content: 'follow-up' },
    ]);
  });

  it('replays tool calls with their reasoning and pairs them with the new tool output', async () => {
    const { upstream, relay } = await startHarness(kind, { script: toolThenText });
    const first = await createResponse(relay, { input: 'list files', tools: [EXEC_TOOL], stream: true });
    expect(first.json.status).toBe('completed');
    const second = await createResponse(relay, {
      previous_response_id: first.json.id,
      tools: [EXEC_TOOL],
      input: [{ type: 'function_call_output', call_id: 'call_ls', output: 'README.md' }],
    });
    expect(second.status).toBe(200);
    expect(sentMessages(upstream, 1)).toEqual([
      { role: 'user', content: 'list files' },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'Need to list files.',
        tool_calls: [
          { id: 'call_ls', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_ls', content: 'README.md' },
    ]);
  });

  it('restores stored reasoning for a client that resends history without reasoning items', async () => {
    const { upstream, relay } = await startHarness(kind, { script: toolThenText });
    const first = await createResponse(relay, { input: 'list files', tools: [EXEC_TOOL] });
    const call = first.json.output.find((item: any) => item.type === 'function_call');
    const history = (args: string) => [
      { role: 'user', content: 'list files' },
      { type: 'function_call', call_id: call.call_id, name: call.name, arguments: args },
      { type: 'function_call_output', call_id: call.call_id, output: 'README.md' },
    ];
    // Codex-style: the whole history, store false, the reasoning item dropped.
    await createResponse(relay, { input: history(call.arguments), tools: [EXEC_TOOL], store: false });
    expect(sentMessages(upstream, 1)[1]).toMatchObject({ role: 'assistant', reasoning_content: 'Need to list files.' });
    // A different call with the same id is not the stored one.
    await createResponse(relay, { input: history('{"cmd":"pwd"}'), tools: [EXEC_TOOL], store: false });
    expect(sentMessages(upstream, 2)[1]).not.toHaveProperty('reasoning_content');
  });

  it('continues two branches of one response independently', async () => {
    const { upstream, relay } = await startHarness(kind);
    const root = await createResponse(relay, { input: 'root' });
    const left = await createResponse(relay, { input: 'left', previous_response_id: root.json.id });
    const right = await createResponse(relay, { input: 'right', previous_response_id: root.json.id, stream: true });
    await createResponse(relay, { input: 'left again', previous_response_id: left.json.id });
    await createResponse(relay, { input: 'right again', previous_response_id: right.json.id });
    const userTexts = (index: number) =>
      sentMessages(upstream, index)
        .filter((message) => message.role === 'user')
        .map((message) => message.content);
    expect(userTexts(3)).toEqual(['root', 'left', 'left again']);
    expect(userTexts(4)).toEqual(['root', 'right', 'right again']);
    expect(sentMessages(upstream, 3)).toContainEqual({ role: 'assistant', content: 'answer 2' });
    expect(sentMessages(upstream, 4)).toContainEqual({ role: 'assistant', content: 'answer 3' });
  });

  it('never writes a response requested with store: false', async () => {
    const { upstream, relay, store } = await startHarness(kind);
    const whole = await createResponse(relay, { input: 'not stored', store: false });
    const streamed = await createResponse(relay, { input: 'not stored either', store: false, stream: true });
    expect(whole.json.store).toBe(false);
    expect(streamed.json.status).toBe('completed');
    await relay.history.close(); // waits for any write in flight
    expect(await store.stats()).toMatchObject({ turns: 0 });
    expect(await store.get(whole.json.id)).toBeUndefined();
    expect(await store.get(streamed.json.id)).toBeUndefined();
    expect(upstream.requests).toHaveLength(2);
  });

  it('answers an unknown, deleted or unstored previous_response_id with previous_response_not_found', async () => {
    const { upstream, relay } = await startHarness(kind);
    const unstored = await createResponse(relay, { input: 'x', store: false });
    const stored = await createResponse(relay, { input: 'y' });
    await fetch(`${relay.url}/v1/responses/${stored.json.id}`, { method: 'DELETE' });
    for (const id of ['resp_0123456789abcdef0123456789abcdef', unstored.json.id, stored.json.id]) {
      for (const stream of [false, true]) {
        const result = await createResponse(relay, { input: 'continue', previous_response_id: id, stream });
        expect(result.status).toBe(404);
        expect(result.json).toEqual({
          error: {
            message: `Previous response with id '${id}' not found.`,
            type: 'invalid_request_error',
            param: 'previous_response_id',
            code: 'previous_response_not_found',
          },
        });
      }
    }
    const malformed = await createResponse(relay, { input: 'continue', previous_response_id: 'not a response id' });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'invalid_value',
    });
    expect(upstream.requests).toHaveLength(2);
  });

  it('refuses to continue a response whose earlier turn was deleted', async () => {
    const { relay } = await startHarness(kind);
    const first = await createResponse(relay, { input: 'one' });
    const second = await createResponse(relay, { input: 'two', previous_response_id: first.json.id });
    await fetch(`${relay.url}/v1/responses/${first.json.id}`, { method: 'DELETE' });
    const third = await createResponse(relay, { input: 'three', previous_response_id: second.json.id });
    expect(third.status).toBe(404);
    expect(third.json.error.code).toBe('previous_response_not_found');
    expect(third.json.error.message).toContain(`the earlier response '${first.json.id}'`);
  });
});
