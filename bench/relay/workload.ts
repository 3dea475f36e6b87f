/**
 * What the benchmark sends and what its mock upstream answers: a request
 * shaped like a real Codex turn (long developer instructions, Codex's own
 * tools plus MCP tools, so the `tools` echo in every Response object is as
 * heavy as it gets in practice) and upstream streams of N chunks in three
 * variants. Everything is synthetic and deterministic.
 */
import { deltaChunk, finishChunk, usageChunk } from '../../harness/chat-chunks.js';

/**
 * The streams measured: what the upstream sends (text, tool-call argument
 * fragments, reasoning then text) and how. By default the mock writes as fast
 * as it can, so the relay reads many events at once; `text-trickle` yields to
 * the event loop after every event, so most reads carry one event, as with a
 * real model producing tokens one by one.
 */
export const STREAM_VARIANTS = ['text', 'tool', 'reasoning', 'text-trickle'] as const;
export type StreamVariant = (typeof STREAM_VARIANTS)[number];
export type StreamShape = 'text' | 'tool' | 'reasoning';

/** What a variant's stream carries. */
export function shapeOf(variant: StreamVariant): StreamShape {
  return variant === 'text-trickle' ? 'text' : variant;
}

/** Whether the mock yields to the event loop after every event of this variant. */
export function tricklesOf(variant: StreamVariant): boolean {
  return variant === 'text-trickle';
}

/** The model name a request carries tells the mock which stream to send. */
export function modelForVariant(variant: StreamVariant): string {
  return `bench-${variant}`;
}

export interface WorkloadOptions {
  /** Number of delta chunks per stream (finish, usage and [DONE] come on top). */
  chunks: number;
  /** MCP tools added to Codex's own tools; sets the size of the `tools` echo. */
  mcpTools: number;
}

const WORDS = [
  'the',
  'relay',
  'streams',
  'every',
  'token',
  'of',
  'a',
  'turn',
  'to',
  'Codex',
  'with',
  'src/index.ts',
  '"quoted"',
  'path\\to',
  'const',
  'value;',
];
/** Most model output is ASCII; about one piece in twenty carries something else. */
const NON_ASCII = ['café', 'naïve', '→', 'emoji 🚀', '—', '’'];

/** Piece `index` of a streamed answer: short words, punctuation, newlines, escapes, now and then non-ASCII. */
export function textPiece(index: number): string {
  const word =
    index % 20 === 19 ? NON_ASCII[Math.floor(index / 20) % NON_ASCII.length]! : WORDS[(index * 7) % WORDS.length]!;
  if (index % 40 === 39) return `${word}.\n\n`;
  if (index % 11 === 10) return `${word}, `;
  return `${word} `;
}

/** The JSON text of the arguments the tool-call variant streams, cut into `chunks` pieces. */
export function toolArgumentPieces(chunks: number): string[] {
  const pieces = ['{"cmd":"'];
  for (let index = 1; index < chunks - 1; index++) pieces.push(JSON.stringify(textPiece(index)).slice(1, -1));
  pieces.push('","workdir":"/work/project"}');
  return pieces;
}

/**
 * The `data:` payloads of one upstream stream, in order: deltas, the finish
 * chunk, usage, `[DONE]`. The first payload always carries the first delta.
 */
export function upstreamPayloads(variant: StreamVariant, chunks: number): string[] {
  const objects: object[] = [];
  const shape = shapeOf(variant);
  switch (shape) {
    case 'text':
      for (let index = 0; index < chunks; index++) {
        objects.push(
          deltaChunk(index === 0 ? { role: 'assistant', content: textPiece(index) } : { content: textPiece(index) }),
        );
      }
      objects.push(finishChunk('stop'));
      break;
    case 'tool': {
      const pieces = toolArgumentPieces(chunks);
      objects.push(
        deltaChunk({
          role: 'assistant',
          tool_calls: [
            { index: 0, id: 'call_bench', type: 'function', function: { name: 'exec_command', arguments: pieces[0] } },
          ],
        }),
      );
      for (const piece of pieces.slice(1))
        objects.push(deltaChunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
      objects.push(finishChunk('tool_calls'));
      break;
    }
    case 'reasoning': {
      const thinking = Math.floor(chunks / 2);
      for (let index = 0; index < thinking; index++) objects.push(deltaChunk({ reasoning_content: textPiece(index) }));
      for (let index = thinking; index < chunks; index++) objects.push(deltaChunk({ content: textPiece(index) }));
      objects.push(finishChunk('stop'));
      break;
    }
    default: {
      const exhaustive: never = shape;
      throw new Error(`unknown stream shape ${String(exhaustive)}`);
    }
  }
  objects.push(
    usageChunk(12_000, chunks, {
      prompt_tokens_details: { cached_tokens: 8_000 },
      completion_tokens_details: { reasoning_tokens: shape === 'reasoning' ? Math.floor(chunks / 2) : 0 },
    }),
  );
  return [...objects.map((object) => JSON.stringify(object)), '[DONE]'];
}

/** What a client should end up with after the whole stream. */
export function expectedOutput(
  variant: StreamVariant,
  chunks: number,
): { text: string; reasoning: string; arguments: string } {
  const pieces = Array.from({ length: chunks }, (_, index) => textPiece(index));
  const shape = shapeOf(variant);
  switch (shape) {
    case 'text':
      return { text: pieces.join(''), reasoning: '', arguments: '' };
    case 'tool':
      return { text: '', reasoning: '', arguments: toolArgumentPieces(chunks).join('') };
    case 'reasoning': {
      const thinking = Math.floor(chunks / 2);
      return { text: pieces.slice(thinking).join(''), reasoning: pieces.slice(0, thinking).join(''), arguments: '' };
    }
    default: {
      const exhaustive: never = shape;
      throw new Error(`unknown stream shape ${String(exhaustive)}`);
    }
  }
}

// ---- the request --------------------------------------------------------------------------

function paragraph(seed: number, length: number): string {
  let text = '';
  for (let index = seed; text.length < length; index++) text += textPiece(index);
  return text.slice(0, length);
}

function functionTool(
  name: string,
  description: string,
  properties: Record<string, unknown>,
  required: string[],
): object {
  return {
    type: 'function',
    name,
    description,
    strict: false,
    parameters: { type: 'object', properties, required, additionalProperties: false },
  };
}

function codexTools(): object[] {
  return [
    functionTool(
      'exec_command',
      paragraph(1, 900),
      {
        cmd: { type: 'string', description: 'Shell command to execute.' },
        workdir: { type: 'string', description: 'Working directory; defaults to the turn cwd.' },
        yield_time_ms: { type: 'number', description: 'How long to wait for output before yielding.' },
        max_output_tokens: { type: 'number', description: 'Maximum number of tokens to return.' },
        sandbox_permissions: {
          type: 'string',
          enum: ['use_default', 'require_escalated'],
          description: 'Sandbox mode for this command.',
        },
        justification: { type: 'string', description: 'Why escalated permissions are needed.' },
      },
      ['cmd'],
    ),
    functionTool(
      'write_stdin',
      paragraph(2, 300),
      {
        session_id: { type: 'number', description: 'Identifier of the running session.' },
        chars: { type: 'string', description: 'Bytes to write to stdin.' },
        yield_time_ms: { type: 'number' },
      },
      ['session_id'],
    ),
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edits files with a patch. This is a freeform tool: send the patch text itself, not JSON.',
      format: {
        type: 'grammar',
        syntax: 'lark',
        definition:
          'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\nend_patch: "*** End Patch" LF?\nhunk: add_hunk | delete_hunk | update_hunk\nadd_hunk: "*** Add File: " filename LF add_line+\ndelete_hunk: "*** Delete File: " filename LF\nupdate_hunk: "*** Update File: " filename LF change+\nfilename: /(.+)/\nadd_line: "+" /(.*)/ LF\nchange: (" " | "-" | "+") /(.*)/ LF\n%import common.LF\n',
      },
    },
    functionTool(
      'view_image',
      'Attach a local image to the conversation.',
      { path: { type: 'string', description: 'Local path to the image.' } },
      ['path'],
    ),
    functionTool(
      'update_plan',
      paragraph(3, 400),
      {
        explanation: { type: 'string' },
        plan: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              step: { type: 'string' },
              status: { type: 'string', enum: ['pending', 'in_progress', 'completed'] },
            },
            required: ['step', 'status'],
          },
        },
      },
      ['plan'],
    ),
    {
      type: 'tool_search',
      execution: 'client',
      description: paragraph(4, 500),
      parameters: {
        type: 'object',
        properties: { query: { type: 'string' }, limit: { type: 'number' } },
        required: ['query'],
        additionalProperties: false,
      },
    },
    { type: 'web_search', external_web_access: false },
  ];
}

function mcpNamespace(count: number): object[] {
  if (count <= 0) return [];
  const tools = Array.from({ length: count }, (_, index) =>
    functionTool(
      `tool_${index}`,
      paragraph(index + 10, 700),
      {
        target: { type: 'string', description: paragraph(index, 120) },
        options: {
          type: 'object',
          properties: {
            depth: { type: 'integer' },
            include_hidden: { type: 'boolean' },
            format: { type: 'string', enum: ['json', 'text', 'markdown'] },
          },
        },
        limit: { type: 'integer', minimum: 1, maximum: 500 },
      },
      ['target'],
    ),
  );
  return [{ type: 'namespace', name: 'mcp__workspace__', description: 'Workspace MCP server.', tools }];
}

/** A Responses request shaped like a Codex turn, for the given stream variant. */
export function codexLikeRequest(variant: StreamVariant, options: WorkloadOptions): Record<string, unknown> {
  return {
    model: modelForVariant(variant),
    stream: true,
    instructions: paragraph(5, 1_500),
    input: [
      { type: 'message', role: 'developer', content: [{ type: 'input_text', text: paragraph(6, 21_000) }] },
      {
        type: 'message',
        role: 'developer',
        content: [
          { type: 'input_text', text: paragraph(7, 4_600) },
          { type: 'input_text', text: paragraph(8, 360) },
        ],
      },
      {
        type: 'message',
        role: 'user',
        content: [
          {
            type: 'input_text',
            text: `<environment_context>\n  <cwd>/work/project</cwd>\n  <shell>bash</shell>\n</environment_context>`,
          },
        ],
      },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Explain what this repository does.' }] },
    ],
    tools: [...codexTools(), ...mcpNamespace(options.mcpTools)],
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'high', summary: 'auto' },
    store: false,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    text: { verbosity: 'low' },
    client_metadata: {
      thread_id: '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      turn_id: '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c',
    },
  };
}
