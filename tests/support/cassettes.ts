/**
 * Real provider recordings in `../shared/cassettes/` (go-vcr v2 YAML): each
 * interaction holds the Chat Completions request a client sent and the raw
 * response body (SSE text or a JSON completion). This module reads them and
 * derives, from the recorded bytes alone, what a faithful relay must report:
 * the text, reasoning, tool calls and usage the provider produced. Nothing
 * here uses the relay's own code.
 */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join, relative } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parse } from 'yaml';
import type { RunningRelay } from '../../src/server/start-server.js';
import { type MockUpstream, startMockUpstream } from './mock-upstream.js';
import { startTestRelay } from './relay.js';
import { sharedPath } from './shared-material.js';

export const CASSETTES_DIR = sharedPath('cassettes');

type Json = Record<string, any>;

export interface RecordedInteraction {
  /** e.g. `TestOpenRouterCommon/kimi/tool_streaming.yaml #1`. */
  name: string;
  request: Json;
  status: number;
  contentType: string;
  /** The response body exactly as recorded. */
  body: string;
}

export interface RecordedToolCall {
  id: string | undefined;
  name: string;
  arguments: string;
}

export interface RecordedOutcome {
  text: string;
  reasoning: string;
  toolCalls: RecordedToolCall[];
  /** The last usage object the provider sent. */
  usage: Json | undefined;
  finishReason: string | undefined;
  /** Opaque reasoning values (`data`, `signature`) that must go back to the provider. */
  opaque: string[];
}

/** Every cassette file, relative to CASSETTES_DIR, sorted. */
export function listCassettes(directory = CASSETTES_DIR): string[] {
  const files: string[] = [];
  const visit = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) visit(child);
      else if (name.endsWith('.yaml')) files.push(relative(directory, child));
    }
  };
  visit(directory);
  return files;
}

/** The interactions of one cassette. */
export function loadInteractions(file: string): RecordedInteraction[] {
  const document = parse(readFileSync(join(CASSETTES_DIR, file), 'utf8')) as { interactions: Json[] };
  return document.interactions.map((interaction, index) => {
    const headers = (interaction.response.headers ?? {}) as Record<string, string[]>;
    const contentType =
      Object.entries(headers).find(([key]) => key.toLowerCase() === 'content-type')?.[1]?.[0] ?? 'application/json';
    return {
      name: `${file} #${index}`,
      request: JSON.parse(interaction.request.body) as Json,
      status: Number(interaction.response.code),
      contentType,
      body: String(interaction.response.body),
    };
  });
}

/** The chunks of a recorded body: SSE `data:` payloads, or one JSON completion. */
export function recordedChunks(interaction: RecordedInteraction): Json[] {
  if (!interaction.contentType.includes('event-stream')) return [JSON.parse(interaction.body) as Json];
  const chunks: Json[] = [];
  for (const line of interaction.body.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue; // comments (`: OPENROUTER PROCESSING`), blank lines
    const data = line.slice(5).trim();
    if (data !== '[DONE]') chunks.push(JSON.parse(data) as Json);
  }
  return chunks;
}

/** What the provider produced, read straight from the recording. */
export function recordedOutcome(interaction: RecordedInteraction): RecordedOutcome {
  const outcome: RecordedOutcome = {
    text: '',
    reasoning: '',
    toolCalls: [],
    usage: undefined,
    finishReason: undefined,
    opaque: [],
  };
  const callsByKey = new Map<string, RecordedToolCall>();
  // Whitespace alone does not start a message (Kimi streams blanks between tool
  // calls): it counts only once other text follows before a tool call or reasoning.
  let textOpen = false;
  let pendingBlank = '';
  for (const chunk of recordedChunks(interaction)) {
    const usage = chunk.usage ?? chunk.choices?.[0]?.usage;
    if (usage && typeof usage.prompt_tokens === 'number') outcome.usage = usage;
    for (const choice of chunk.choices ?? []) {
      const delta: Json = choice.delta ?? choice.message ?? {};
      const reasoning = deltaReasoning(delta);
      if (reasoning !== '' || (delta.tool_calls ?? []).length > 0) {
        textOpen = false;
        pendingBlank = '';
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        if (textOpen) outcome.text += delta.content;
        else if (delta.content.trim() === '') pendingBlank += delta.content;
        else {
          outcome.text += pendingBlank + delta.content;
          pendingBlank = '';
          textOpen = true;
        }
      }
      outcome.reasoning += reasoning;
      for (const detail of delta.reasoning_details ?? []) {
        for (const key of ['data', 'signature'])
          if (typeof detail?.[key] === 'string' && detail[key] !== '') outcome.opaque.push(detail[key]);
      }
      (delta.tool_calls ?? []).forEach((fragment: Json, position: number) => {
        // Streamed fragments are keyed by index; a whole message lists its calls in order.
        const key = choice.message ? `whole:${position}` : `index:${fragment.index ?? position}`;
        let call = callsByKey.get(key);
        if (!call) {
          call = { id: undefined, name: '', arguments: '' };
          callsByKey.set(key, call);
          outcome.toolCalls.push(call);
        }
        if (typeof fragment.id === 'string' && fragment.id !== '' && call.id === undefined) call.id = fragment.id;
        if (typeof fragment.function?.name === 'string' && call.name === '') call.name = fragment.function.name;
        if (typeof fragment.function?.arguments === 'string') call.arguments += fragment.function.arguments;
      });
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '')
        outcome.finishReason = choice.finish_reason;
    }
  }
  return outcome;
}

/**
 * The reasoning text of one delta. Providers put the same text in several
 * fields at once (Kimi: reasoning_content + reasoning_details; OpenRouter:
 * reasoning + reasoning_details), so the first field present is the text.
 */
function deltaReasoning(delta: Json): string {
  if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') return delta.reasoning_content;
  if (typeof delta.reasoning === 'string' && delta.reasoning !== '') return delta.reasoning;
  let text = '';
  for (const detail of delta.reasoning_details ?? []) {
    if (detail?.type === 'reasoning.text' && typeof detail.text === 'string') text += detail.text;
    if (detail?.type === 'reasoning.summary' && typeof detail.summary === 'string') text += detail.summary;
  }
  return text;
}

/**
 * The Responses request a client such as Codex would send for the recorded
 * turn: the same conversation, tools and limits, in Responses form.
 */
export function responsesRequestFor(chat: Json): Json {
  const input: Json[] = [];
  for (const message of chat.messages as Json[]) {
    const text = typeof message.content === 'string' ? message.content : '';
    switch (message.role) {
      case 'system':
      case 'developer':
      case 'user':
        input.push({ type: 'message', role: message.role, content: text });
        break;
      case 'assistant': {
        const reasoning = message.reasoning_content ?? message.reasoning;
        if (typeof reasoning === 'string' && reasoning !== '')
          input.push({ type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: reasoning }] });
        if (text !== '') input.push({ type: 'message', role: 'assistant', content: text });
        for (const call of (message.tool_calls ?? []) as Json[]) {
          input.push({
            type: 'function_call',
            call_id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          });
        }
        break;
      }
      case 'tool':
        input.push({ type: 'function_call_output', call_id: message.tool_call_id, output: text });
        break;
      default:
        throw new Error(`recorded message role ${String(message.role)} has no Responses form here`);
    }
  }
  const request: Json = { model: chat.model, input };
  if (Array.isArray(chat.tools)) {
    request.tools = (chat.tools as Json[]).map((tool) => ({
      type: 'function',
      name: tool.function.name,
      description: tool.function.description,
      parameters: tool.function.parameters,
      strict: tool.function.strict ?? false,
    }));
  }
  if (typeof chat.tool_choice === 'string') request.tool_choice = chat.tool_choice;
  else if (chat.tool_choice?.function?.name)
    request.tool_choice = { type: 'function', name: chat.tool_choice.function.name };
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  if (typeof maxTokens === 'number') request.max_output_tokens = maxTokens;
  const effort = chat.reasoning?.effort ?? chat.reasoning_effort;
  if (typeof effort === 'string') request.reasoning = { effort };
  return request;
}

/** Bytes per write when replaying: events and UTF-8 characters get cut across reads. */
const REPLAY_SLICE_BYTES = 257;

/** Writes the recorded status, content type and body, in small slices. */
export async function replayInteraction(interaction: RecordedInteraction, response: ServerResponse): Promise<void> {
  response.writeHead(interaction.status, { 'content-type': interaction.contentType });
  const bytes = Buffer.from(interaction.body, 'utf8');
  for (let offset = 0; offset < bytes.length; offset += REPLAY_SLICE_BYTES) {
    if (response.destroyed) return;
    response.write(bytes.subarray(offset, offset + REPLAY_SLICE_BYTES));
    await new Promise((resolve) => setImmediate(resolve));
  }
  response.end();
}

/** A relay in front of an upstream that replays `current`: started before the suite's tests, closed after them. */
export interface ReplayingRelay {
  relay: RunningRelay;
  upstream: MockUpstream;
  /** The interaction the upstream answers with next. */
  current: RecordedInteraction | undefined;
}

export function replayingRelay(): ReplayingRelay {
  const state = { current: undefined } as ReplayingRelay;
  beforeAll(async () => {
    state.upstream = await startMockUpstream(() => ({
      kind: 'custom',
      handle: (_request, response) => replayInteraction(state.current!, response),
    }));
    state.relay = await startTestRelay(state.upstream.baseUrl);
  });
  afterAll(async () => {
    await state.relay?.close();
    await state.upstream?.close();
  });
  return state;
}
