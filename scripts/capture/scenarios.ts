/**
 * What each capture asks Codex and how the scripted server answers. Answers
 * are picked from what Codex sent (like a model would), so one scenario works
 * with every Codex release even where releases differ (e.g. MCP tools offered
 * directly in older releases, behind `tool_search` in newer ones).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeReasoningEnvelope } from '../../src/translate/reasoning-envelope.js';
import type { ResponsePicker } from './capture-server.js';
import type { ScriptedResponse } from './responses-events.js';

export interface CaptureScenario {
  name: string;
  prompt: string;
  /** Prepares the project directory; returns extra `codex exec` arguments. */
  setup?: (project: string, root: string) => string[];
  /** Whether the test MCP server is configured. */
  mcp?: boolean;
  pick: ResponsePicker;
}

/** A 1×1 PNG, the image `view_image` returns. */
export const PIXEL_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

export const ADD_FILE_PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n';

export const OUTPUT_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
};

const message = (text: string): ScriptedResponse => ({ items: [{ type: 'message', text }] });
const execCall = (callId: string, cmd: string) => ({
  type: 'function_call' as const,
  callId,
  name: 'exec_command',
  arguments: JSON.stringify({ cmd }),
});

/** Scripted turns in order; a request beyond the script gets no answer. */
function turns(...responses: ScriptedResponse[]): ResponsePicker {
  return (_body, turn) => responses[turn - 1];
}

type Item = Record<string, unknown>;

function inputItems(body: Record<string, unknown>): Item[] {
  return Array.isArray(body.input) ? (body.input as Item[]) : [];
}

function toolList(body: Record<string, unknown>): Item[] {
  return Array.isArray(body.tools) ? (body.tools as Item[]) : [];
}

/** The MCP tool as Codex names it in this request: directly, or in a tool_search result. */
function findMcpTool(body: Record<string, unknown>): { namespace: string; name: string } | undefined {
  const namespaces = [
    ...toolList(body),
    ...inputItems(body).flatMap((item) =>
      item.type === 'tool_search_output' && Array.isArray(item.tools) ? (item.tools as Item[]) : [],
    ),
  ];
  for (const tool of namespaces) {
    if (tool.type !== 'namespace' || typeof tool.name !== 'string' || !tool.name.includes('relaytest')) continue;
    const inner = (tool.tools as Item[] | undefined)?.find((candidate) => candidate.name === 'record_token');
    if (inner) return { namespace: tool.name, name: 'record_token' };
  }
  return undefined;
}

export const CAPTURE_SCENARIOS: CaptureScenario[] = [
  { name: 'text', prompt: 'Say pong', pick: turns(message('pong')) },
  {
    name: 'tool',
    prompt: 'Run echo hi',
    pick: turns({ items: [execCall('call_1', 'echo hi')] }, message('done')),
  },
  {
    name: 'parallel',
    prompt: 'Run two echos at once',
    pick: turns({ items: [execCall('call_1', 'echo one'), execCall('call_2', 'echo two')] }, message('done')),
  },
  {
    name: 'reasoning',
    prompt: 'Think, then run echo twice',
    pick: turns(
      {
        items: [
          { type: 'reasoning', text: 'I should run echo.', encryptedContent: null },
          execCall('call_1', 'echo first'),
        ],
      },
      {
        items: [
          {
            type: 'reasoning',
            text: 'It worked; once more.',
            // What the relay emits when a provider hands back opaque reasoning details.
            encryptedContent: encodeReasoningEnvelope({
              details: [{ type: 'reasoning.text', text: 'It worked; once more.', signature: 'sig-1', index: 0 }],
            }),
          },
          execCall('call_2', 'echo second'),
        ],
      },
      {
        items: [
          { type: 'reasoning', text: 'Both ran.', encryptedContent: null },
          { type: 'message', text: 'done' },
        ],
      },
    ),
  },
  {
    name: 'apply-patch',
    prompt: 'Create hello.txt',
    pick: turns(
      { items: [{ type: 'custom_tool_call', callId: 'call_p1', name: 'apply_patch', input: ADD_FILE_PATCH }] },
      message('done'),
    ),
  },
  {
    name: 'view-image',
    prompt: 'Look at pixel.png',
    setup: (project) => {
      writeFileSync(join(project, 'pixel.png'), Buffer.from(PIXEL_PNG_BASE64, 'base64'));
      return [];
    },
    pick: turns(
      {
        items: [
          {
            type: 'function_call',
            callId: 'call_1',
            name: 'view_image',
            arguments: JSON.stringify({ path: 'pixel.png' }),
          },
        ],
      },
      message('a single pixel'),
    ),
  },
  {
    name: 'output-schema',
    prompt: 'Answer pong as JSON',
    setup: (_project, root) => {
      const path = join(root, 'schema.json');
      writeFileSync(path, JSON.stringify(OUTPUT_SCHEMA));
      return ['--output-schema', path];
    },
    pick: turns(message('{"answer":"pong"}')),
  },
  {
    name: 'mcp',
    prompt: 'Record the token t-42 with the MCP tool',
    mcp: true,
    pick: (body) => {
      const last = inputItems(body).at(-1);
      if (last?.type === 'function_call_output') return message('recorded');
      const tool = findMcpTool(body);
      if (tool) {
        return {
          items: [
            {
              type: 'function_call',
              callId: 'call_m1',
              namespace: tool.namespace,
              name: tool.name,
              arguments: JSON.stringify({ token: 't-42' }),
            },
          ],
        };
      }
      if (last?.type !== 'tool_search_output' && toolList(body).some((candidate) => candidate.type === 'tool_search')) {
        return {
          items: [{ type: 'tool_search_call', callId: 'call_s1', arguments: { query: 'record token', limit: 8 } }],
        };
      }
      return undefined;
    },
  },
];
