/**
 * The strict mock upstream used by the Codex end-to-end suite refuses what
 * real providers refuse, and the relay hands the provider's message back as a
 * clear HTTP error. Without this the end-to-end suite could pass by accident.
 */
import { describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import { DEEPSEEK_MISSING_REASONING, validateChatRequest } from '../support/chat-validation.js';
import { readSse } from '../support/relay.js';
import { chatAnswer, type ScriptedUpstream } from '../support/scripted-upstream.js';
import { useTestServers } from '../support/test-servers.js';

const servers = useTestServers();
let upstream: ScriptedUpstream | undefined;
let relay: RunningRelay | undefined;

const exec = {
  type: 'function',
  name: 'exec_command',
  parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
};

/** A Codex history with one finished tool call; `reasoning` decides whether its reasoning item is echoed. */
function history(reasoning: boolean): unknown[] {
  return [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'run it' }] },
    ...(reasoning
      ? [
          {
            type: 'reasoning',
            summary: [],
            content: [{ type: 'reasoning_text', text: 'I will run it.' }],
            encrypted_content: null,
          },
        ]
      : []),
    { type: 'function_call', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"ls"}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
  ];
}

async function post(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${relay!.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', stream: true, tools: [exec], ...body }),
  });
}

describe('strict mock upstream', () => {
  it('answers like DeepSeek when a tool-call turn comes without its reasoning, and the relay reports it', async () => {
    upstream = await servers.scriptedUpstream(() => chatAnswer({ text: 'ok' }), { thinking: 'deepseek' });
    relay = await servers.relay(upstream.baseUrl);

    const events = await readSse(await post({ input: history(false) }));
    const failed = events.at(-1)!;
    expect(failed.type).toBe('response.failed');
    // A refused request would be refused again: a code Codex stops on, showing the message.
    expect(failed.response.error.code).toBe('invalid_prompt');
    expect(failed.response.error.message).toContain(DEEPSEEK_MISSING_REASONING);
    expect(upstream.rejections).toHaveLength(1);
  });

  it('accepts the same history when the reasoning is echoed back', async () => {
    upstream = await servers.scriptedUpstream(() => chatAnswer({ text: 'ok' }), { thinking: 'deepseek' });
    relay = await servers.relay(upstream.baseUrl);

    const response = await post({ input: history(true) });
    expect(response.status).toBe(200);
    await response.text();
    expect(upstream.rejections).toEqual([]);
    expect(upstream.requests[0]!.body.messages[1]).toMatchObject({
      role: 'assistant',
      reasoning_content: 'I will run it.',
    });
  });

  it("rejects broken tool pairing and arguments with the providers' messages", () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":' } };
    expect(
      validateChatRequest({
        model: 'm',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'user', content: 'y' },
          { role: 'tool', tool_call_id: 'call_9', content: 'z' },
        ],
      }).map((violation) => violation.message),
    ).toEqual([
      "Invalid 'messages[1].tool_calls[0].function.arguments': the arguments must be a JSON object encoded as a string.",
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_1",
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    ]);
    expect(
      validateChatRequest(
        {
          model: 'm',
          messages: [
            { role: 'assistant', content: null, tool_calls: [{ ...call, function: { name: 'f', arguments: '{}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
          ],
        },
        { thinking: 'kimi' },
      ),
    ).toEqual([{ message: 'reasoning_content is missing in assistant tool call message at index 0', param: null }]);
  });
});
