/**
 * Replays every request Codex sent in the captures (fixtures/codex/<version>/
 * <scenario>/request-N.json) through the real translator with the generic
 * profile. The Chat Completions body is kept as a file snapshot next to this
 * test, and the invariants a strict upstream depends on are checked against
 * the original Responses request.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT, pinnedCodexVersions } from '../../harness/codex/versions.js';
import { genericProvider } from '../../src/providers/generic.js';
import { buildChatRequest } from '../../src/translate/request/build-chat-request.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { validateChatRequest } from '../support/chat-validation.js';
import {
  expectHistoryCalls,
  expectInstructionsInOrder,
  expectOneMessagePerTurn,
  expectToolImages,
  expectToolMapping,
  expectToolPairs,
} from './invariants.js';

const FIXTURES = join(PROJECT_ROOT, 'fixtures', 'codex');
const SCENARIOS = ['text', 'tool', 'parallel', 'reasoning', 'apply-patch', 'view-image', 'output-schema', 'mcp'];

interface Fixture {
  version: string;
  scenario: string;
  file: string;
  record: { method: string; path: string; headers: Record<string, string>; body: Record<string, any> };
}

function requestFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => /^request-\d+\.json$/.test(name))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
}

function loadFixtures(version: string, scenario: string): Fixture[] {
  const directory = join(FIXTURES, version, scenario);
  if (!existsSync(directory)) return [];
  return requestFiles(directory).map((file) => ({
    version,
    scenario,
    file,
    record: JSON.parse(readFileSync(join(directory, file), 'utf8')),
  }));
}

function translate(body: Record<string, any>) {
  const { request, notes } = parseResponsesRequest(body);
  return buildChatRequest(request, genericProvider, request.model, notes);
}

describe.each(pinnedCodexVersions().map((codex) => codex.version))('Codex %s captures', (version) => {
  it('has every scenario captured', () => {
    const missing = SCENARIOS.filter((scenario) => loadFixtures(version, scenario).length === 0);
    expect(missing, `run: npm run capture:codex -- --codex-version ${version}`).toEqual([]);
  });

  describe.each(SCENARIOS)('%s', (scenario) => {
    const fixtures = loadFixtures(version, scenario);
    it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))(
      '%s translates for a strict upstream',
      async (_file, fixture) => {
        const { record } = fixture;
        expect(record.method).toBe('POST');
        expect(record.path).toBe('/v1/responses');
        const built = translate(record.body);
        const chat = built.body.messages as Array<Record<string, any>>;

        await expect(`${JSON.stringify(built.body, null, 2)}\n`).toMatchFileSnapshot(
          join('__snapshots__', version, scenario, fixture.file.replace(/\.json$/, '.chat.json')),
        );
        // Codex sends nothing this relay does not understand.
        expect(built.notes.filter((note) => note.level === 'warn')).toEqual([]);
        expect(validateChatRequest(built.body)).toEqual([]);
        expectInstructionsInOrder(record.body, chat);
        expectToolPairs(chat);
        expectOneMessagePerTurn(record.body, chat);
        expectToolMapping(record.body, built);
        expectHistoryCalls(record.body, chat);
        expectToolImages(record.body, chat);
        // Codex-only fields never reach the upstream.
        for (const field of [
          'client_metadata',
          'include',
          'store',
          'prompt_cache_key',
          'text',
          'reasoning',
          'input',
          'instructions',
        ]) {
          expect(built.body).not.toHaveProperty(field);
        }
      },
    );
  });

  it('keeps what each scenario is about', () => {
    const last = (scenario: string) =>
      translate(loadFixtures(version, scenario).at(-1)!.record.body).body as Record<string, any>;

    const parallel = last('parallel').messages.find((message: any) => message.tool_calls);
    expect(parallel.tool_calls).toHaveLength(2);

    const reasoning = last('reasoning');
    const thinking = reasoning.messages.filter((message: any) => message.tool_calls);
    expect(thinking.map((message: any) => message.reasoning_content)).toEqual([
      'I should run echo.',
      'It worked; once more.',
    ]);
    // A thinking upstream (DeepSeek, Kimi) accepts the whole history.
    expect(validateChatRequest(reasoning, { thinking: 'deepseek' })).toEqual([]);

    const patch = last('apply-patch').messages.find((message: any) => message.tool_calls);
    expect(JSON.parse(patch.tool_calls[0].function.arguments).input).toContain('*** Add File: hello.txt');

    const image = last('view-image').messages.at(-1);
    expect(image.role).toBe('user');
    expect(
      image.content.some(
        (part: any) => part.type === 'image_url' && part.image_url.url.startsWith('data:image/png;base64,'),
      ),
    ).toBe(true);

    const schema = translate(loadFixtures(version, 'output-schema')[0]!.record.body).body;
    expect(schema.response_format).toEqual({
      type: 'json_schema',
      json_schema: {
        name: 'codex_output_schema',
        strict: true,
        schema: {
          type: 'object',
          properties: { answer: { type: 'string' } },
          required: ['answer'],
          additionalProperties: false,
        },
      },
    });

    const mcp = last('mcp');
    const mcpCall = mcp.messages
      .flatMap((message: any) => message.tool_calls ?? [])
      .find((call: any) => call.function.name.endsWith('record_token'));
    expect(mcpCall.function.name).toBe('mcp__relaytest__record_token');
    expect(mcp.tools.some((tool: any) => tool.function.name === 'mcp__relaytest__record_token')).toBe(true);
  });
});
