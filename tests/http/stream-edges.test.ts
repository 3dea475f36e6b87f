/**
 * Upstream streams at the edges of the Chat Completions contract, sent byte
 * for byte through the relay: `[DONE]` without any finish_reason, output
 * after the finish_reason, and two parallel calls sharing one id. Each case
 * is judged in Responses terms, as Codex would see it, and the follow-up
 * request shows the ids travel back consistently.
 */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { captureLogs } from '../support/capture-logs.js';
import type { MockUpstream } from '../support/mock-upstream.js';
import { readSse, type TestRelayOptions } from '../support/relay.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: MockUpstream | undefined;
let relay: RunningRelay | undefined;

const READ_TOOL = {
  type: 'function',
  name: 'read_file',
  parameters: { type: 'object', properties: { path: { type: 'string' } } },
};

/** Serves `bodies[n]` as the n-th response, exactly as written. */
async function serveBytes(bodies: string[], options: TestRelayOptions = {}): Promise<RunningRelay> {
  upstream = await servers.mockUpstream((_request, index) => ({
    kind: 'custom',
    handle: (_incoming, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(bodies[Math.min(index, bodies.length - 1)]);
    },
  }));
  relay = await servers.relay(upstream.baseUrl, options);
  return relay;
}

async function streamTurn(body: Record<string, unknown>): Promise<Array<Record<string, any>>> {
  const response = await fetch(`${relay!.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock-model', stream: true, ...body }),
  });
  expect(response.status).toBe(200);
  return readSse(response);
}

describe('[DONE] without any finish_reason', () => {
  it('completes a text answer as stop (role + content, a usage chunk, then [DONE])', async () => {
    await serveBytes([
      'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"OK"}}]}\n\n' +
        'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}\n\n' +
        'data: [DONE]\n\n',
    ]);
    const events = await streamTurn({ input: 'Say OK' });
    const terminal = events.at(-1)!;
    expect(terminal.type).toBe('response.completed');
    expect(terminal.response.output).toMatchObject([
      { type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'OK' }] },
    ]);
    expect(terminal.response.usage).toMatchObject({ input_tokens: 9, output_tokens: 1, total_tokens: 10 });
  });

  it('completes with the tool call when its arguments are whole JSON', async () => {
    await serveBytes([
      'data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_r1","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":"}}]}}]}\n\n' +
        'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"a.md\\"}"}}]}}]}\n\n' +
        'data: [DONE]\n\n',
    ]);
    const events = await streamTurn({ input: 'Read a.md', tools: [READ_TOOL] });
    const terminal = events.at(-1)!;
    expect(terminal.type).toBe('response.completed');
    expect(terminal.response.output).toEqual([
      expect.objectContaining({
        type: 'function_call',
        call_id: 'call_r1',
        name: 'read_file',
        arguments: '{"path":"a.md"}',
        status: 'completed',
      }),
    ]);
  });

  it('fails when a tool call was cut off mid-arguments, [DONE] or not', async () => {
    await serveBytes([
      'data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_r1","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":"}}]}}]}\n\n' +
        'data: [DONE]\n\n',
    ]);
    const events = await streamTurn({ input: 'Read a.md', tools: [READ_TOOL] });
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(events.at(-1)!.response.error).toMatchObject({
      code: 'server_error',
      message: expect.stringMatching(/unfinished tool call/),
    });
  });

  it('still fails a stream that just stops (no [DONE], no finish_reason)', async () => {
    await serveBytes(['data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"OK"}}]}\n\n']);
    const events = await streamTurn({ input: 'Say OK' });
    expect(events.at(-1)!.type).toBe('response.failed');
  });

  it('completes stream: false the same way', async () => {
    await serveBytes([
      'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"OK"}}]}\n\ndata: [DONE]\n\n',
    ]);
    const response = await fetch(`${relay!.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-model', input: 'Say OK', stream: false }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body.status).toBe('completed');
    expect(body.output[0].content[0].text).toBe('OK');
  });
});

describe('output after finish_reason', () => {
  it('ignores a tool call sent after finish_reason "stop", keeps the usage, and logs it', async () => {
    const logs = captureLogs();
    await serveBytes(
      [
        'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"done"},"finish_reason":"stop"}]}\n\n' +
          'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_late","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":\\"x\\"}"}}]}}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}\n\n',
      ],
      { logger: logs.logger },
    );
    const events = await streamTurn({ input: 'Finish up', tools: [READ_TOOL] });
    const terminal = events.at(-1)!;
    expect(terminal.type).toBe('response.completed');
    expect(terminal.response.output).toEqual([
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'done' })] }),
    ]);
    expect(events.some((event) => event.item?.type === 'function_call')).toBe(false);
    expect(terminal.response.usage).toMatchObject({ input_tokens: 5, output_tokens: 3, total_tokens: 8 });
    // pino level 40 is warn.
    const warning = logs
      .records()
      .find((record) => typeof record.msg === 'string' && record.msg.includes('after finish_reason'));
    expect(warning).toMatchObject({
      level: 40,
      msg: "ignored 1 upstream chunk(s) with tool_calls sent after finish_reason 'stop'",
    });
  });
});

describe('duplicate tool-call ids in one turn', () => {
  const twoCallsOneId =
    'data: {"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_dup","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":\\"a.md\\"}"}}]}}]}\n\n' +
    'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_dup","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":\\"b.md\\"}"}}]}}]}\n\n' +
    'data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}\n\n' +
    'data: [DONE]\n\n';

  it('gives each call its own call_id and sends the same ids back in the next turn', async () => {
    await serveBytes([
      twoCallsOneId,
      'data: {"choices":[{"index":0,"delta":{"content":"read both"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
    ]);
    const events = await streamTurn({ input: 'Read a.md and b.md', tools: [READ_TOOL] });
    const calls = events.at(-1)!.response.output as Array<Record<string, any>>;
    expect(calls.map((call) => [call.call_id, call.arguments])).toEqual([
      ['call_dup', '{"path":"a.md"}'],
      ['call_dup_2', '{"path":"b.md"}'],
    ]);

    // Codex sends the calls and their outputs back; every call gets its own result.
    await streamTurn({
      tools: [READ_TOOL],
      input: [
        { role: 'user', content: 'Read a.md and b.md' },
        ...calls.map(({ type, call_id, name, arguments: args }) => ({ type, call_id, name, arguments: args })),
        { type: 'function_call_output', call_id: calls[0]!.call_id, output: 'contents of a' },
        { type: 'function_call_output', call_id: calls[1]!.call_id, output: 'contents of b' },
      ],
    });
    const messages = upstream!.requests[1]!.body.messages as Array<Record<string, any>>;
    expect(messages.find((message) => message.role === 'assistant')!.tool_calls.map((call: any) => call.id)).toEqual([
      'call_dup',
      'call_dup_2',
    ]);
    expect(
      messages.filter((message) => message.role === 'tool').map((message) => [message.tool_call_id, message.content]),
    ).toEqual([
      ['call_dup', 'contents of a'],
      ['call_dup_2', 'contents of b'],
    ]);
  });
});
