/**
 * The Responses `Response` object, complete as the official schema requires,
 * and the output item shapes the relay emits.
 */
import type { ResponsesRequest } from '../request/responses-schema.js';

/** Request fields the Response object repeats back. Built once per request. */
export interface ResponseEcho {
  model: string;
  instructions: string | null;
  max_output_tokens: number | null;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null } | null;
  store: boolean;
  temperature: number | null;
  text: Record<string, unknown>;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  metadata: Record<string, string>;
  prompt_cache_key: string | null;
}

/**
 * Builds the echo from the validated request. The tools listed are the ones
 * the relay offers the model: hosted and unknown tool types it dropped are not.
 */
export function buildResponseEcho(request: ResponsesRequest): ResponseEcho {
  const reasoning = request.reasoning
    ? { effort: request.reasoning.effort ?? null, summary: request.reasoning.summary ?? null }
    : null;
  return {
    model: request.model,
    instructions: request.instructions,
    max_output_tokens: request.max_output_tokens ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning,
    store: request.store ?? true,
    temperature: request.temperature ?? null,
    text: {
      format: request.text?.format ?? { type: 'text' },
      ...(request.text?.verbosity ? { verbosity: request.text.verbosity } : {}),
    },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools.map(echoTool),
    top_p: request.top_p ?? null,
    metadata: request.metadata ?? {},
    prompt_cache_key: request.prompt_cache_key ?? null,
  };
}

/**
 * A tool as the Response object lists it. The schema requires `strict` and
 * `parameters` on function tools (and a description on namespaces); a client
 * may leave them out, so the defaults the relay applied are filled in.
 */
function echoTool(tool: unknown): unknown {
  if (tool === null || typeof tool !== 'object') return tool;
  // Optional fields sent as null are left out: the schema types them without null.
  const record = Object.fromEntries(
    Object.entries(tool as Record<string, unknown>).filter(([, value]) => value !== null && value !== undefined),
  );
  if (record.type === 'function')
    return { ...record, parameters: record.parameters ?? null, strict: record.strict ?? false };
  if (record.type === 'namespace') return { ...record, description: record.description ?? '' };
  return record;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';
export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface MessageOutputItem {
  type: 'message';
  id: string;
  status: ItemStatus;
  role: 'assistant';
  content: OutputTextPart[];
}

export interface ReasoningOutputItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content: string | null;
  status: ItemStatus;
}

export interface FunctionCallOutputItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  /** Present and empty when the tool marks parameters encrypted: the arguments are plain text. */
  encrypted_function_args?: string[];
  status: ItemStatus;
}

export interface CustomToolCallOutputItem {
  type: 'custom_tool_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
  status: ItemStatus;
}

export interface ToolSearchCallOutputItem {
  type: 'tool_search_call';
  id: string;
  call_id: string;
  execution: 'client';
  arguments: unknown;
  status: ItemStatus;
}

/** The conversation summarised; the relay's envelope in `encrypted_content`. */
export interface CompactionOutputItem {
  type: 'compaction';
  id: string;
  encrypted_content: string;
}

export type OutputItem =
  | CompactionOutputItem
  | MessageOutputItem
  | ReasoningOutputItem
  | FunctionCallOutputItem
  | CustomToolCallOutputItem
  | ToolSearchCallOutputItem;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseError {
  code: string;
  message: string;
}

export interface ResponseObject extends ResponseEcho {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: ResponseError | null;
  incomplete_details: { reason: string } | null;
  output: OutputItem[];
  truncation: 'disabled';
  /** Absent until the upstream reported usage: the schema allows no null here. */
  usage?: ResponsesUsage;
}

export interface ResponseState {
  id: string;
  createdAt: number;
  status: ResponseStatus;
  completedAt: number | null;
  error: ResponseError | null;
  incompleteReason: string | null;
  output: OutputItem[];
  usage: ResponsesUsage | null;
}

/** Assembles the Response object in the schema's field order. */
export function buildResponseObject(state: ResponseState, echo: ResponseEcho): ResponseObject {
  return {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    completed_at: state.completedAt,
    error: state.error,
    incomplete_details: state.incompleteReason === null ? null : { reason: state.incompleteReason },
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model: echo.model,
    output: state.output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    prompt_cache_key: echo.prompt_cache_key,
    reasoning: echo.reasoning,
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: 'disabled',
    ...(state.usage === null ? {} : { usage: state.usage }),
    metadata: echo.metadata,
  };
}
