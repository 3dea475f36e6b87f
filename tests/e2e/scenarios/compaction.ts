/**
 * Remote compaction with the real Codex: the provider is named "OpenAI", so
 * Codex asks the relay for the summary (a `compaction_trigger` input, or POST
 * /responses/compact on 0.128.0, which uses the older form) instead of writing
 * it itself. The upstream sees the relay's own compaction prompt; Codex gets
 * the relay's envelope and sends it back, and the relay expands it into the
 * summary for the next turn. The context fills twice, so there are two
 * compactions: the second is asked with the first summary in the conversation.
 */
import { expect } from 'vitest';
import { compareVersions } from '../../../harness/codex/versions.js';
import { SUMMARY_PREFIX } from '../../../src/translate/compaction/compaction-input.js';
import { COMPACTION_PROMPT } from '../../../src/translate/compaction/compaction-prompt.js';
import { chatAnswer, fragmentArguments } from '../../support/scripted-upstream.js';
import type { E2EScenario } from '../harness.js';
import { messages, textOf } from './chat-reading.js';

/** The oldest pinned release that asks for remote compaction with `compaction_trigger` (V2). */
const COMPACTION_TRIGGER_CODEX_VERSION = '0.150.0';
const CONTEXT_WINDOW = 32_000;
const COMPACT_LIMIT = 24_000;
const FIRST_SUMMARY = 'FIRST SUMMARY: the proof command ran once and printed remote-step-1.';
const SECOND_SUMMARY = 'SECOND SUMMARY: remote-step-1 and remote-step-2 both ran.';

type Body = Record<string, any>;

/** The relay's compaction turn: its prompt is the last message, and no tools are offered. */
function isCompactionRequest(body: Body): boolean {
  return textOf(messages(body).at(-1)) === COMPACTION_PROMPT && (body.tools ?? []).length === 0;
}

/** The upstream got a summary as the relay expands it from a compaction item Codex sent back. */
function hasExpandedSummary(body: Body, summary: string): boolean {
  return messages(body).some((message) => textOf(message).includes(SUMMARY_PREFIX + summary));
}

function mentions(body: Body, text: string): boolean {
  return messages(body).some((message) => textOf(message).includes(text));
}

/** A tool call whose usage puts the context over Codex's compaction limit. */
function callOverTheLimit(step: number) {
  return chatAnswer({
    toolCalls: [
      {
        id: `call_remote_${step}`,
        name: 'exec_command',
        argumentPieces: fragmentArguments({ cmd: `echo remote-step-${step}` }),
      },
    ],
    usage: { prompt: COMPACT_LIMIT + 2_000, completion: 100 },
  });
}

export const remoteCompaction: E2EScenario = {
  id: 'remote-compaction',
  websocket: true,
  title:
    'remote compaction (provider named OpenAI): the relay writes the summary twice, the turn after each carries on',
  prompt: 'Run the proof command twice, then finish',
  providerName: 'OpenAI',
  compactsOverHttp: true,
  catalog: { contextWindow: CONTEXT_WINDOW, autoCompactTokenLimit: COMPACT_LIMIT },
  script: (request) => {
    const body = request.body as Body;
    if (isCompactionRequest(body)) {
      const summary = mentions(body, FIRST_SUMMARY) ? SECOND_SUMMARY : FIRST_SUMMARY;
      return chatAnswer({ text: summary, usage: { prompt: 3_000, completion: 60 } });
    }
    if (hasExpandedSummary(body, SECOND_SUMMARY))
      return chatAnswer({ text: 'carried on after two compactions', usage: { prompt: 3_000, completion: 20 } });
    return callOverTheLimit(hasExpandedSummary(body, FIRST_SUMMARY) ? 2 : 1);
  },
  verify: ({ codex, run, bodies, transcript, transports }) => {
    const compactions = bodies.filter(isCompactionRequest);
    expect(compactions, transcript).toHaveLength(2);
    // Measured: 0.128.0 compacts with POST /responses/compact (a whole JSON turn, over HTTP even in a
    // WebSocket session); 0.150.0 and later send compaction_trigger on the session's own transport.
    const compactEndpointTurns = transports.filter((each) => each === 'json').length;
    expect(compactEndpointTurns, transcript).toBe(
      compareVersions(codex.version, COMPACTION_TRIGGER_CODEX_VERSION) < 0 ? 2 : 0,
    );
    // The first summary is asked for from the conversation itself; the second with the first summary in it.
    expect(mentions(compactions[0]!, FIRST_SUMMARY), transcript).toBe(false);
    expect(mentions(compactions[0]!, 'remote-step-1'), transcript).toBe(true);
    expect(hasExpandedSummary(compactions[1]!, FIRST_SUMMARY), transcript).toBe(true);
    // Each turn after a compaction got that summary from the envelope Codex sent back.
    const afterFirst = bodies[bodies.indexOf(compactions[0]!) + 1]!;
    const afterSecond = bodies[bodies.indexOf(compactions[1]!) + 1]!;
    expect(hasExpandedSummary(afterFirst, FIRST_SUMMARY), transcript).toBe(true);
    expect(hasExpandedSummary(afterSecond, SECOND_SUMMARY), transcript).toBe(true);
    expect(run.lastMessage?.trim(), transcript).toBe('carried on after two compactions');
  },
};
