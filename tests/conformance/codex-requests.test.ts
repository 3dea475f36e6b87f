/**
 * The requests the real Codex CLI sent (../shared/codex-wire/<version>/, each
 * scenario's reqN.json) go through the relay, and the model answers with
 * reasoning, text and a call to every tool Codex offered: function tools,
 * the freeform apply_patch tool and tool_search. The streams must be
 * conformant with everything Codex puts in a request echoed back (its tool
 * list, text format, reasoning settings), and each kind of call must come out
 * as its own item type.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningRelay } from '../../src/server/start-server.js';
import {
  finishChunk,
  type MockUpstream,
  reasoningChunks,
  startMockUpstream,
  textChunks,
  toolCallChunks,
  usageChunk,
} from '../support/mock-upstream.js';
import { readSse, startTestRelay } from '../support/relay.js';
import { missingSharedMessage, sharedPath } from '../support/shared-material.js';

const CODEX_WIRE_DIR = sharedPath('codex-wire');
const missing = missingSharedMessage(CODEX_WIRE_DIR);
/** Tool types the relay offers the model; hosted ones the upstream cannot run are dropped. */
const RELAYED_TOOL_TYPES = new Set(['function', 'custom', 'namespace', 'tool_search']);

/** Every captured request, as `<version>/<scenario>/reqN.json`. */
function capturedRequests(): string[] {
  const files: string[] = [];
  for (const version of readdirSync(CODEX_WIRE_DIR).sort()) {
    for (const scenario of readdirSync(join(CODEX_WIRE_DIR, version), { withFileTypes: true })) {
      if (!scenario.isDirectory()) continue;
      for (const file of readdirSync(join(CODEX_WIRE_DIR, version, scenario.name)).sort()) {
        if (/^req\d+\.json$/.test(file)) files.push(join(version, scenario.name, file));
      }
    }
  }
  return files;
}

/** Arguments a model would plausibly send to each upstream tool. */
function argumentsFor(name: string): string {
  if (name === 'apply_patch')
    return JSON.stringify({ input: '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch' });
  if (name === 'tool_search') return JSON.stringify({ query: 'calendar' });
  return JSON.stringify({ cmd: 'ls' });
}

describe('streams answering real Codex requests', () => {
  if (missing !== undefined) {
    it('answers every captured Codex request', (context) => context.skip(missing));
    return;
  }

  let upstream: MockUpstream;
  let relay: RunningRelay;

  beforeAll(async () => {
    upstream = await startMockUpstream((request) => {
      const names: string[] = (request.body.tools ?? []).map(
        (tool: { function: { name: string } }) => tool.function.name,
      );
      return {
        kind: 'sse',
        chunks: [
          ...reasoningChunks('Looking ', 'around.'),
          ...textChunks('On it.'),
          ...names.flatMap((name, index) => toolCallChunks(index, `call_${index}`, name, argumentsFor(name))),
          finishChunk(names.length > 0 ? 'tool_calls' : 'stop'),
          usageChunk(1200, 80, { prompt_tokens_details: { cached_tokens: 1024 } }),
        ],
      };
    });
    relay = await startTestRelay(upstream.baseUrl);
  });
  afterAll(async () => {
    await relay?.close();
    await upstream?.close();
  });

  for (const file of capturedRequests()) {
    it(file, async () => {
      const captured = JSON.parse(readFileSync(join(CODEX_WIRE_DIR, file), 'utf8')) as { body: Record<string, any> };
      const response = await fetch(`${relay.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(captured.body),
      });
      expect(response.status).toBe(200);
      const events = await readSse(response);
      const final = events.at(-1)!.response;
      expect(final.status).toBe('completed');
      // The Response lists the tools offered to the model: hosted ones (web_search) are dropped.
      const offeredTools = (captured.body.tools ?? []).filter((tool: { type: string }) =>
        RELAYED_TOOL_TYPES.has(tool.type),
      );
      expect(final.tools).toEqual(offeredTools);

      const offered = new Set((captured.body.tools ?? []).map((tool: { type: string }) => tool.type));
      const types = final.output.map((item: { type: string }) => item.type);
      expect(types.slice(0, 2)).toEqual(['reasoning', 'message']);
      if (offered.has('function')) expect(types).toContain('function_call');
      if (offered.has('custom')) expect(types).toContain('custom_tool_call');
      if (offered.has('tool_search')) expect(types).toContain('tool_search_call');
    });
  }
});
