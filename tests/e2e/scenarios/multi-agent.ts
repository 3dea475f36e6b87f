/**
 * Codex's multi-agent tools (v2) end to end: the parent agent spawns a child
 * through `collaboration.spawn_agent`, the child (a second Codex thread
 * talking to the same relay) runs a command and answers, and the parent
 * waits for it with `collaboration.wait_agent` and reports what it heard.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chatAnswer, fragmentArguments } from '../../support/scripted-upstream.js';
import type { E2EScenario } from '../harness.js';
import { messages, textOf, toolNames, toolResults } from './chat-reading.js';

const SPAWN = 'collaboration__spawn_agent';
const WAIT = 'collaboration__wait_agent';
/** Words only the child's task contains, so the script knows which agent is asking. */
const CHILD_TASK = 'Child task: write child-proof.txt and report back.';
const CHILD_ANSWER = 'child wrote the proof';

function conversationText(body: Record<string, any>): string {
  return messages(body).map(textOf).join('\n');
}

export const multiAgent: E2EScenario = {
  id: 'multi-agent',
  title: 'multi-agent: the parent spawns a child agent and waits for it (collaboration namespace)',
  prompt: 'Spawn a helper agent to write the proof file, wait for it, then tell me what it said',
  features: { multi_agent_v2: true },
  // 0.128.0 offers the v2 tools without a namespace.
  minimumCodexVersion: '0.150.0',
  script: (request) => {
    const body = request.body;
    const results = toolResults(body);
    if (conversationText(body).includes(CHILD_TASK)) {
      const written = results.get('call_child_exec');
      if (written !== undefined) return chatAnswer({ text: CHILD_ANSWER });
      return chatAnswer({
        toolCalls: [
          {
            id: 'call_child_exec',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'printf child-ok > child-proof.txt' }),
          },
        ],
      });
    }
    if (!toolNames(body).includes(SPAWN))
      return chatAnswer({ text: `no ${SPAWN} offered: ${toolNames(body).join(', ')}` });
    const waited = results.get('call_wait_1');
    if (waited !== undefined) {
      return chatAnswer({
        text: conversationText(body).includes(CHILD_ANSWER)
          ? 'the helper finished'
          : `no answer from the helper; wait said: ${waited}`,
      });
    }
    if (results.has('call_spawn_1'))
      return chatAnswer({
        toolCalls: [{ id: 'call_wait_1', name: WAIT, argumentPieces: fragmentArguments({ timeout_ms: 20000 }) }],
      });
    return chatAnswer({
      toolCalls: [
        {
          id: 'call_spawn_1',
          name: SPAWN,
          argumentPieces: fragmentArguments({ task_name: 'proof_writer', message: CHILD_TASK, fork_turns: 'none' }),
        },
      ],
    });
  },
  verify: ({ run, bodies, workspace, transcript }) => {
    // The child ran: its command wrote the file.
    expect(readFileSync(join(workspace.project, 'child-proof.txt'), 'utf8'), transcript).toBe('child-ok');
    // The child was given its task as readable text (not as content marked encrypted).
    const childRequests = bodies.filter((body) => conversationText(body).includes(CHILD_TASK));
    expect(childRequests.length, transcript).toBeGreaterThanOrEqual(2);
    expect(
      messages(childRequests[0]!)
        .filter((message) => message.role === 'user')
        .map(textOf)
        .join('\n'),
    ).toContain(`Payload:\n${CHILD_TASK}`);
    // The parent heard the child's final answer and finished.
    const parentLast = bodies.at(-1)!;
    expect(toolNames(parentLast)).toContain(SPAWN);
    expect(conversationText(parentLast)).toContain(CHILD_ANSWER);
    expect(run.lastMessage?.trim(), transcript).toBe('the helper finished');
  },
};
