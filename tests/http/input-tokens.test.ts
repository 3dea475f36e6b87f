/**
 * POST /v1/responses/input_tokens through the official `openai` SDK: the
 * estimate of the translated upstream prompt, checked against the
 * `prompt_tokens` OpenAI reported for recorded requests (the cassettes in
 * ../shared) within the documented tolerance, and against known strings.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  CASSETTES_DIR,
  listCassettes,
  loadInteractions,
  recordedOutcome,
  responsesRequestFor,
} from '../support/cassettes.js';
import { finishChunk, type MockUpstream, textChunks } from '../support/mock-upstream.js';
import { missingSharedMessage } from '../support/shared-material.js';
import { useTestServers } from '../support/test-servers.js';

/** The tolerance documented in src/tokens/estimate-tokens.ts for OpenAI models. */
function withinTolerance(estimate: number, actual: number): boolean {
  return Math.abs(estimate - actual) <= Math.max(8, actual * 0.1);
}

const servers = useTestServers('all');
let upstream: MockUpstream;
let relay: RunningRelay;
let client: OpenAI;

beforeAll(async () => {
  upstream = await servers.mockUpstream(() => ({
    kind: 'sse',
    chunks: [...textChunks('Why did the chicken cross the road?'), finishChunk('stop')],
  }));
  relay = await servers.relay(upstream.baseUrl);
  client = new OpenAI({ apiKey: 'sk-client', baseURL: `${relay.url}/v1`, maxRetries: 0 });
});

describe('POST /v1/responses/input_tokens', () => {
  it("answers in OpenAI's shape with the tokens of known strings, without calling the upstream", async () => {
    // o200k_base: "Hello, world!" is 4 tokens; a user message adds 3 for its frame and 1 for its role; the reply 2.
    const hello = await client.responses.inputTokens.count({ model: 'm', input: 'Hello, world!' });
    expect(hello).toEqual({ object: 'response.input_tokens', input_tokens: 10 });
    // "You are terse." is 4 tokens, as a system message 8; the user message "Tell me a joke." 5 + 4.
    const joke = await client.responses.inputTokens.count({
      model: 'm',
      instructions: 'You are terse.',
      input: 'Tell me a joke.',
    });
    expect(joke.input_tokens).toBe(19);
    expect(upstream.requests).toHaveLength(0);
  });

  it('counts special-token markers such as <|endoftext|> as the plain text they are', async () => {
    const text = 'Strip <|endoftext|> and <|im_start|> from the log.';
    const counted = await client.responses.inputTokens.count({ model: 'm', input: text });
    // The user message frame (3), its role (1) and the reply priming (2) around the text, read as text.
    expect(counted.input_tokens).toBe(6 + countTokens(text, { disallowedSpecial: new Set() }));
    expect(countTokens(text, { disallowedSpecial: new Set() })).toBeGreaterThan(
      countTokens('Strip  and  from the log.') + 6,
    );
  });

  it('grows with the input and counts tools and the stored conversation', async () => {
    const short = await client.responses.inputTokens.count({ model: 'm', input: 'Summarise the file.' });
    const long = await client.responses.inputTokens.count({ model: 'm', input: 'Summarise the file. '.repeat(50) });
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 150);
    const withTool = await client.responses.inputTokens.count({
      model: 'm',
      input: 'Summarise the file.',
      tools: [
        {
          type: 'function',
          name: 'read_file',
          description: 'Read a file',
          parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
          strict: false,
        },
      ],
    });
    expect(withTool.input_tokens).toBeGreaterThan(short.input_tokens + 15);

    const first = await client.responses.create({ model: 'm', input: 'Tell me a joke.' });
    const followUp = await client.responses.inputTokens.count({
      model: 'm',
      previous_response_id: first.id,
      input: 'Another one.',
    });
    const alone = await client.responses.inputTokens.count({ model: 'm', input: 'Another one.' });
    // The stored turn adds the user message "Tell me a joke." (5 + 4) and the answer with its frame (+ 4).
    expect(followUp.input_tokens).toBe(alone.input_tokens + 9 + countTokens('Why did the chicken cross the road?') + 4);
  });

  it('accepts a request without a model, and refuses bad bodies in the OpenAI error shape', async () => {
    const response = await fetch(`${relay.url}/v1/responses/input_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'Hello, world!', model: null }),
    });
    expect(await response.json()).toEqual({ object: 'response.input_tokens', input_tokens: 10 });
    const bad = await fetch(`${relay.url}/v1/responses/input_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', input: 42 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error.type).toBe('invalid_request_error');
  });

  const missing = missingSharedMessage(CASSETTES_DIR);
  it('is within the documented tolerance of what OpenAI counted for recorded requests', async (context) => {
    if (missing !== undefined) return context.skip(missing);
    const recorded = listCassettes()
      .filter((file) => file.includes('/openai/'))
      .flatMap(loadInteractions)
      .map((interaction) => ({
        interaction,
        promptTokens: recordedOutcome(interaction).usage?.prompt_tokens as number | undefined,
      }))
      .filter((entry) => typeof entry.promptTokens === 'number');
    expect(recorded.length).toBeGreaterThanOrEqual(6);
    for (const { interaction, promptTokens } of recorded) {
      const count = await client.responses.inputTokens.count(
        responsesRequestFor(interaction.request) as OpenAI.Responses.InputTokenCountParams,
      );
      expect(
        withinTolerance(count.input_tokens, promptTokens!),
        `${interaction.name}: estimated ${count.input_tokens}, OpenAI counted ${promptTokens}`,
      ).toBe(true);
    }
  });
});
