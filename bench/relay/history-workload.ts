/**
 * A Codex turn late in a long session: the usual request plus `rounds` earlier
 * tool rounds, each as Codex replays it (an encrypted reasoning item, a shell
 * call, its output, and a short assistant message). 200 rounds is about
 * 465 KB, roughly a full 128k-token context. Synthetic and deterministic.
 */
import { codexLikeRequest, textPiece, type WorkloadOptions } from './workload.js';

/** Text of about `length` characters built from the bench's word list, starting at piece `seed`. */
function prose(seed: number, length: number): string {
  let text = '';
  for (let index = seed; text.length < length; index++) text += textPiece(index);
  return text.slice(0, length);
}

/** The items of earlier round `round`. */
export function roundItems(round: number): Array<Record<string, unknown>> {
  const callId = `call_${String(round).padStart(6, '0')}`;
  return [
    {
      type: 'reasoning',
      id: `rs_${round}`,
      summary: [{ type: 'summary_text', text: prose(round, 160) }],
      encrypted_content: Buffer.from(prose(round + 1, 300)).toString('base64'),
    },
    {
      type: 'function_call',
      id: `fc_${round}`,
      call_id: callId,
      name: 'shell',
      arguments: JSON.stringify({
        command: ['bash', '-lc', `rg -n "${prose(round, 24)}" src`],
        workdir: '/work/project',
        timeout_ms: 10_000,
      }),
    },
    { type: 'function_call_output', call_id: callId, output: prose(round + 2, 930) },
    {
      type: 'message',
      role: 'assistant',
      id: `msg_${round}`,
      content: [{ type: 'output_text', text: prose(round + 3, 120), annotations: [] }],
    },
  ];
}

/** The Codex-shaped request for `variant` with `rounds` earlier tool rounds before the user's last message. */
export function historyRequest(rounds: number, options: WorkloadOptions): Record<string, unknown> {
  const request = codexLikeRequest('text', options);
  const input = request.input as Array<Record<string, unknown>>;
  const last = input.pop()!;
  for (let round = 0; round < rounds; round++) input.push(...roundItems(round));
  input.push(last);
  return request;
}

/**
 * The turn `turnsBack` turns before `historyRequest(rounds)` in the same
 * conversation (default 1): the same request without its last rounds (or
 * items, at 0 rounds) and the user's message after them, so each longer
 * request's bytes start with this one's up to its last item (as Codex's do
 * over HTTP).
 */
export function previousTurnRequest(rounds: number, options: WorkloadOptions, turnsBack = 1): Record<string, unknown> {
  const request = historyRequest(rounds, options);
  const input = request.input as unknown[];
  const removed = rounds > 0 ? 1 + turnsBack * roundItems(0).length : turnsBack;
  return { ...request, input: input.slice(0, Math.max(0, input.length - removed)) };
}
