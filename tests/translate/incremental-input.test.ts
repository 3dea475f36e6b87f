/**
 * A conversation translated turn by turn (as a WebSocket chain is) must give
 * the upstream exactly the request a whole translation gives: on the recorded
 * Codex conversations and on generated ones with tool rounds, reasoning,
 * parallel calls, interrupted calls and compaction items, for every provider
 * profile (reasoning echo, system-message hoisting and the hooks that rewrite
 * messages included). And it must really be incremental where Codex continues
 * a chain: at every response boundary the kept translation is extended, not
 * rebuilt.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';
import { PROVIDER_PROFILES } from '../../src/providers/index.js';
import { chatRequestJson } from '../../src/translate/chat-request-json.js';
import { encodeCompactionEnvelope } from '../../src/translate/compaction/compaction-envelope.js';
import { expandCompactions } from '../../src/translate/compaction/compaction-input.js';
import type { ProviderProfile } from '../../src/translate/provider-hooks.js';
import { encodeReasoningEnvelope } from '../../src/translate/reasoning-envelope.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { InputTranslation } from '../../src/translate/request/incremental-input.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import type { InputItem, ResponsesRequest } from '../../src/translate/request/responses-schema.js';
import { seededRandom } from '../support/seeded-random.js';

const COMPACTION_KEY = Buffer.alloc(32, 7);
const FIXTURES = join(PROJECT_ROOT, 'fixtures', 'codex');

afterEach(() => {
  vi.restoreAllMocks();
});

/** The items the model's side of a turn is made of (a response's output). */
function isAssistantSide(item: InputItem): boolean {
  return item.type === 'message'
    ? item.role === 'assistant'
    : [
        'reasoning',
        'function_call',
        'custom_tool_call',
        'tool_search_call',
        'local_shell_call',
        'web_search_call',
        'image_generation_call',
      ].includes(item.type);
}

/** Where a WebSocket chain cuts a conversation: each response's output starts after the input that asked for it. */
function responseBoundaries(items: readonly InputItem[]): number[] {
  const cuts: number[] = [];
  for (let index = 1; index < items.length; index++)
    if (isAssistantSide(items[index]!) && !isAssistantSide(items[index - 1]!)) cuts.push(index);
  return cuts;
}

interface TurnResult {
  /** Whether the kept translation was extended (not rebuilt). */
  extended: boolean;
}

/**
 * Translates `items` in turns ending at `cuts` (and at the end), as runTurn
 * does on a chain: compactions expanded, then the request built with the
 * previous turn's translation. Each turn's upstream body must equal the whole
 * translation's.
 */
function translateInTurns(
  request: ResponsesRequest,
  items: readonly InputItem[],
  cuts: readonly number[],
  profile: ProviderProfile,
): TurnResult[] {
  const extend = vi.spyOn(InputTranslation.prototype, 'extend');
  const results: TurnResult[] = [];
  let earlier: InputTranslation | undefined;
  for (const end of [...cuts, items.length]) {
    const conversation = { ...request, input: [...expandCompactions(items.slice(0, end), COMPACTION_KEY, [])] };
    const whole = buildChatRequest(conversation, profile, request.model, []);
    const calls = extend.mock.results.length;
    const built = buildChatRequest(conversation, profile, request.model, [], { earlier });
    expect(built.body, `${profile.id}: turn ending at item ${end}`).toEqual(whole.body);
    // The bytes sent upstream, kept messages' reused, are the whole translation's.
    expect(String(chatRequestJson(built.body)), `${profile.id}: turn ending at item ${end}`).toBe(
      JSON.stringify(whole.body),
    );
    results.push({ extended: extend.mock.results.length > calls && extend.mock.results.at(-1)!.value !== undefined });
    earlier = built.translation;
  }
  extend.mockRestore();
  return results;
}

function fixtureRequests(): Array<{ name: string; body: Record<string, unknown> }> {
  const found: Array<{ name: string; body: Record<string, unknown> }> = [];
  for (const version of readdirSync(FIXTURES)) {
    for (const scenario of readdirSync(join(FIXTURES, version))) {
      const directory = join(FIXTURES, version, scenario);
      if (!existsSync(directory) || !readdirSync(directory).some((name) => name.startsWith('request-'))) continue;
      for (const file of readdirSync(directory).filter((name) => /^request-\d+\.json$/.test(name))) {
        found.push({
          name: `${version}/${scenario}/${file}`,
          body: JSON.parse(readFileSync(join(directory, file), 'utf8')).body,
        });
      }
    }
  }
  return found;
}

const PROFILES_TO_CHECK = PROVIDER_PROFILES.filter(
  (profile, index, all) =>
    all.findIndex(
      (other) => other.hooks === profile.hooks && other.systemMessagesAnywhere === profile.systemMessagesAnywhere,
    ) === index,
);
/** The generic profile, and DeepSeek, whose hooks echo reasoning and rewrite the request's messages. */
const ONE_ITEM_PROFILES = PROFILES_TO_CHECK.filter((profile) => profile.id === 'generic' || profile.id === 'deepseek');

describe('recorded Codex conversations', () => {
  const requests = fixtureRequests();
  it('are there to replay', () => {
    expect(requests.length).toBeGreaterThan(20);
    expect(ONE_ITEM_PROFILES).toHaveLength(2);
  });

  it.each(requests.map((entry) => [entry.name, entry] as const))(
    '%s: turn by turn equals the whole translation',
    (_name, { body }) => {
      const { request } = parseResponsesRequest(body);
      const cuts = responseBoundaries(request.input);
      for (const profile of PROFILES_TO_CHECK) {
        const turns = translateInTurns(request, request.input, cuts, profile);
        // Every turn after the first continues the kept translation.
        expect(turns.slice(1).every((turn) => turn.extended)).toBe(true);
      }
      // One item at a time: some cuts fall back (an output split from its parallel call's), none differs.
      for (const profile of ONE_ITEM_PROFILES) {
        translateInTurns(
          request,
          request.input,
          request.input.map((_item, index) => index),
          profile,
        );
      }
    },
  );
});

interface GeneratedConversation {
  items: InputItem[];
  /** Where each response's output starts. */
  cuts: number[];
  /** Turns (by index) whose new items carry a summary the relay wrote (the history before it is replaced). */
  compactedAt: Set<number>;
}

/** Tool rounds with reasoning (text and relay envelopes), parallel and custom calls, interrupted calls, images, developer notes and compactions. */
function generateConversation(seed: number, rounds: number): GeneratedConversation {
  const next = seededRandom(seed);
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)]!;
  const items: InputItem[] = [];
  const cuts: number[] = [];
  const compactedAt = new Set<number>();
  let pendingOutputs: InputItem[] = [];
  let callNumber = 0;
  for (let round = 0; round < rounds; round++) {
    // The client's side: the outputs of the last calls (sometimes one is missing: interrupted), then maybe more.
    const kind = next();
    if (pendingOutputs.length > 0 && kind < 0.75) items.push(...pendingOutputs.filter(() => next() > 0.08));
    // A developer note alone: the next response belongs to the same user turn.
    else if (kind > 0.85) items.push({ type: 'message', role: 'developer', content: `context ${round}` } as InputItem);
    else
      items.push({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: `request ${round}` }],
      } as InputItem);
    pendingOutputs = [];
    if (next() < 0.1)
      items.push({
        type: 'message',
        role: 'developer',
        content: [{ type: 'input_text', text: `note ${round}` }],
      } as InputItem);
    if (next() < 0.06) {
      const relayWritten = next() < 0.7;
      if (relayWritten) compactedAt.add(cuts.length);
      items.push({
        type: 'compaction',
        encrypted_content: relayWritten
          ? encodeCompactionEnvelope(`summary up to round ${round}`, COMPACTION_KEY)
          : 'gAAAAforeign',
      } as InputItem);
    }
    // The response's output: reasoning, text and calls.
    cuts.push(items.length);
    if (next() < 0.7) {
      const envelope =
        next() < 0.5
          ? encodeReasoningEnvelope({
              details: [{ type: 'reasoning.text', text: `detail ${round}` }],
              signatures: { [`call_${callNumber}`]: `sig${round}` },
            })
          : null;
      items.push({
        type: 'reasoning',
        id: `rs_${round}`,
        summary: [{ type: 'summary_text', text: `thinking ${round}` }],
        ...(envelope ? { encrypted_content: envelope } : {}),
      } as InputItem);
    }
    if (next() < 0.3)
      items.push({
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: `working on ${round}` }],
      } as InputItem);
    const calls = next() < 0.25 ? 0 : pick([1, 1, 2, 3]);
    for (let call = 0; call < calls; call++) {
      const callId = `call_${callNumber++}`;
      if (next() < 0.2) {
        items.push({
          type: 'custom_tool_call',
          call_id: callId,
          name: 'apply_patch',
          input: `*** Begin Patch ${round}`,
        } as InputItem);
        pendingOutputs.push({
          type: 'custom_tool_call_output',
          call_id: callId,
          output: `patched ${round}`,
        } as InputItem);
      } else {
        items.push({
          type: 'function_call',
          call_id: callId,
          name: pick(['exec_command', 'read_file', 'mcp__docs__search']),
          arguments: next() < 0.1 ? 'not json' : JSON.stringify({ cmd: `echo ${round}` }),
        } as InputItem);
        const output =
          next() < 0.1
            ? [
                { type: 'input_text', text: `shot ${round}` },
                { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
              ]
            : `output ${round}.${call}`;
        pendingOutputs.push({ type: 'function_call_output', call_id: callId, output } as InputItem);
      }
    }
    if (calls === 0 || next() < 0.2)
      items.push({
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: `done ${round}` }],
      } as InputItem);
    if (pendingOutputs.length > 1 && next() < 0.3) pendingOutputs.reverse();
  }
  return { items, cuts, compactedAt };
}

const TOOLS = [
  { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
  { type: 'function', name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } },
  {
    type: 'function',
    name: 'mcp__docs__search',
    parameters: { type: 'object', properties: { query: { type: 'string' } } },
  },
  { type: 'custom', name: 'apply_patch', format: { type: 'text' } },
];

describe('generated conversations', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'seed %i: turn by turn equals the whole translation, and extends at each response',
    (seed) => {
      const { items, cuts, compactedAt } = generateConversation(seed, 40);
      const { request } = parseResponsesRequest({
        model: 'model-a',
        instructions: 'Be brief.',
        input: [],
        tools: TOOLS,
        reasoning: { effort: 'high' },
      });
      for (const profile of PROFILES_TO_CHECK) {
        const turns = translateInTurns(request, items, cuts, profile);
        turns.forEach((turn, index) => {
          // A summary replaces the history before it (that turn is usually translated whole); every other turn is extended.
          if (index > 0 && !compactedAt.has(index)) expect(turn.extended, `${profile.id}: turn ${index}`).toBe(true);
        });
      }
    },
  );

  it('a chain continued twice from one response is translated whole the second time, and still right', () => {
    const { items, cuts } = generateConversation(11, 6);
    const { request } = parseResponsesRequest({ model: 'model-a', input: [], tools: TOOLS });
    const profile = PROFILES_TO_CHECK[0]!;
    const first = buildChatRequest({ ...request, input: items.slice(0, cuts[2]) }, profile, 'model-a', [], {
      earlier: undefined,
    });
    const branch = items.slice(0, cuts[3]);
    const once = buildChatRequest({ ...request, input: branch }, profile, 'model-a', [], {
      earlier: first.translation,
    });
    expect(
      first.translation!.extend(
        branch,
        { hooks: profile.hooks, context: once.context, names: once.names, images: true, imagesInToolResults: false },
        [],
      ),
    ).toBeUndefined();
    const again = buildChatRequest({ ...request, input: branch }, profile, 'model-a', [], {
      earlier: first.translation,
    });
    expect(again.body).toEqual(buildChatRequest({ ...request, input: branch }, profile, 'model-a').body);
    expect(once.body).toEqual(again.body);
  });

  it('another model or reasoning effort translates the whole conversation', () => {
    const { items, cuts } = generateConversation(12, 8);
    const { request } = parseResponsesRequest({
      model: 'model-a',
      input: [],
      tools: TOOLS,
      reasoning: { effort: 'low' },
    });
    const profile = PROFILES_TO_CHECK.find((candidate) => candidate.id === 'deepseek') ?? PROFILES_TO_CHECK[0]!;
    const first = buildChatRequest({ ...request, input: items.slice(0, cuts[3]) }, profile, 'deepseek-reasoner', [], {
      earlier: undefined,
    });
    const later = { ...request, reasoning: { effort: 'high' as const }, input: items };
    const extend = vi.spyOn(InputTranslation.prototype, 'extend');
    const built = buildChatRequest(later, profile, 'deepseek-reasoner', [], { earlier: first.translation });
    expect(extend.mock.results[0]!.value).toBeUndefined();
    expect(built.body).toEqual(buildChatRequest(later, profile, 'deepseek-reasoner').body);
  });
});
