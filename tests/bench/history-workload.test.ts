/**
 * The history sweep's requests must be what the relay accepts from Codex and
 * grow as stated: four items per earlier round, about 465 KB at 200 rounds,
 * every tool call answered. No timing here.
 */
import { describe, expect, it } from 'vitest';
import { historyRequest, previousTurnRequest } from '../../bench/relay/history-workload.js';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';

describe('history workload', () => {
  it.each([0, 3, 200])(
    'with %i earlier rounds is a valid Codex request that converts to one tool answer per call',
    (rounds) => {
      const body = historyRequest(rounds, { chunks: 500, mcpTools: 4 });
      const { request, notes } = parseResponsesRequest(JSON.parse(JSON.stringify(body)));
      expect(request.input).toHaveLength(4 + 4 * rounds);
      const messages = buildChatRequest(request, genericProvider, request.model, notes).body.messages;
      const calls = messages.flatMap((message) =>
        'tool_calls' in message && message.tool_calls ? message.tool_calls : [],
      );
      const answers = messages.filter((message) => message.role === 'tool');
      expect(calls).toHaveLength(rounds);
      expect(answers.map((message) => ('tool_call_id' in message ? message.tool_call_id : undefined))).toEqual(
        calls.map((call) => call.id),
      );
      expect(messages.at(-1)?.role).toBe('user');
    },
  );

  it('is about 465 KB at 200 rounds', () => {
    const kilobytes = Buffer.byteLength(JSON.stringify(historyRequest(200, { chunks: 500, mcpTools: 4 }))) / 1024;
    expect(kilobytes).toBeGreaterThan(440);
    expect(kilobytes).toBeLessThan(490);
  });

  it.each([0, 3])(
    "with %i earlier rounds follows its two previous turns byte for byte up to each one's last item",
    (rounds) => {
      const earlier = JSON.stringify(previousTurnRequest(rounds, { chunks: 500, mcpTools: 4 }, 2));
      const previous = JSON.stringify(previousTurnRequest(rounds, { chunks: 500, mcpTools: 4 }));
      const next = JSON.stringify(historyRequest(rounds, { chunks: 500, mcpTools: 4 }));
      for (const [before, after] of [
        [earlier, previous],
        [previous, next],
      ] as const) {
        const end = before.indexOf('],"tools"');
        expect(end).toBeGreaterThan(0);
        expect(after.length).toBeGreaterThan(before.length);
        expect(after.slice(0, end)).toBe(before.slice(0, end));
        expect(after[end]).toBe(',');
      }
    },
  );
});
