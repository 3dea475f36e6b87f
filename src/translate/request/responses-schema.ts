/**
 * The part of the OpenAI Responses API request this relay reads, as zod schemas.
 * Schemas are loose: unknown keys are accepted and ignored (a new Codex release
 * adding a field must not break every turn), but the fields that are read must
 * have the right types.
 */
import { z } from 'zod';

/**
 * A JSON object taken as it is. JSON schemas (tool parameters, output formats)
 * can be large and are only passed on, so they are checked for being an object
 * and not copied key by key.
 */
export const jsonObjectSchema = z.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
  { params: { expected: 'object' } },
);

const textPart = z
  .object({ type: z.enum(['input_text', 'output_text', 'text', 'summary_text', 'reasoning_text']), text: z.string() })
  .loose();
const imagePart = z
  .object({
    type: z.literal('input_image'),
    image_url: z.string().nullish(),
    file_id: z.string().nullish(),
    detail: z.string().nullish(),
  })
  .loose();
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() }).loose();
const filePart = z
  .object({
    type: z.literal('input_file'),
    filename: z.string().nullish(),
    file_data: z.string().nullish(),
    file_url: z.string().nullish(),
    file_id: z.string().nullish(),
  })
  .loose();
/** A content part of any type; known types are validated where they are read. */
export const contentPartSchema = z.object({ type: z.string() }).loose();

export const knownPartSchemas = {
  input_text: textPart,
  output_text: textPart,
  text: textPart,
  summary_text: textPart,
  reasoning_text: textPart,
  input_image: imagePart,
  refusal: refusalPart,
  input_file: filePart,
} as const;

export type TextPart = z.infer<typeof textPart>;
export type ImagePart = z.infer<typeof imagePart>;
export type FilePart = z.infer<typeof filePart>;
export type ContentPart = TextPart | ImagePart | z.infer<typeof refusalPart> | FilePart;

const outputValue = z.union([z.string(), z.array(contentPartSchema)]);

export const messageItemSchema = z
  .object({
    type: z.literal('message').optional(),
    id: z.string().nullish(),
    role: z.enum(['user', 'assistant', 'system', 'developer']),
    content: z.union([z.string(), z.array(contentPartSchema)]),
  })
  .loose();

export const reasoningItemSchema = z
  .object({
    type: z.literal('reasoning'),
    id: z.string().nullish(),
    summary: z.array(contentPartSchema).nullish(),
    content: z.array(contentPartSchema).nullish(),
    encrypted_content: z.string().nullish(),
  })
  .loose();

export const functionCallItemSchema = z
  .object({
    type: z.literal('function_call'),
    id: z.string().nullish(),
    call_id: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().nullish(),
    arguments: z.string(),
  })
  .loose();

export const functionCallOutputItemSchema = z
  .object({ type: z.literal('function_call_output'), call_id: z.string().min(1), output: outputValue })
  .loose();

export const customToolCallItemSchema = z
  .object({
    type: z.literal('custom_tool_call'),
    id: z.string().nullish(),
    call_id: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().nullish(),
    input: z.string(),
  })
  .loose();

export const customToolCallOutputItemSchema = z
  .object({ type: z.literal('custom_tool_call_output'), call_id: z.string().min(1), output: outputValue })
  .loose();

export const toolSearchCallItemSchema = z
  .object({
    type: z.literal('tool_search_call'),
    id: z.string().nullish(),
    call_id: z.string().nullish(),
    arguments: z.unknown(),
  })
  .loose();

export const toolSearchOutputItemSchema = z
  .object({ type: z.literal('tool_search_output'), call_id: z.string().nullish(), tools: z.array(z.unknown()) })
  .loose();

export const additionalToolsItemSchema = z
  .object({ type: z.literal('additional_tools'), tools: z.array(z.unknown()) })
  .loose();

export const localShellCallItemSchema = z
  .object({
    type: z.literal('local_shell_call'),
    call_id: z.string().nullish(),
    action: z
      .object({ command: z.array(z.string()).nullish() })
      .loose()
      .nullish(),
  })
  .loose();

export const webSearchCallItemSchema = z
  .object({ type: z.literal('web_search_call'), action: z.object({ query: z.string().nullish() }).loose().nullish() })
  .loose();

export const imageGenerationCallItemSchema = z
  .object({ type: z.literal('image_generation_call'), revised_prompt: z.string().nullish() })
  .loose();

/**
 * A message between Codex agents (multi-agent v2): text parts, and the task
 * itself as `encrypted_content` when the call that carried it did not say its
 * arguments were plain text.
 */
export const agentMessageItemSchema = z
  .object({
    type: z.literal('agent_message'),
    author: z.string().nullish(),
    recipient: z.string().nullish(),
    content: z.array(
      z.union([
        z.object({ type: z.literal('input_text'), text: z.string() }).loose(),
        z.object({ type: z.literal('encrypted_content'), encrypted_content: z.string() }).loose(),
      ]),
    ),
  })
  .loose();

/** The conversation summarised by a server; the relay reads only its own (compaction-envelope.ts). */
const compactionItemSchema = z
  .object({
    type: z.enum(['compaction', 'compaction_summary']),
    id: z.string().nullish(),
    encrypted_content: z.string().nullish(),
  })
  .loose();

export const itemSchemas = {
  message: messageItemSchema,
  reasoning: reasoningItemSchema,
  function_call: functionCallItemSchema,
  function_call_output: functionCallOutputItemSchema,
  custom_tool_call: customToolCallItemSchema,
  custom_tool_call_output: customToolCallOutputItemSchema,
  tool_search_call: toolSearchCallItemSchema,
  tool_search_output: toolSearchOutputItemSchema,
  additional_tools: additionalToolsItemSchema,
  local_shell_call: localShellCallItemSchema,
  web_search_call: webSearchCallItemSchema,
  image_generation_call: imageGenerationCallItemSchema,
  agent_message: agentMessageItemSchema,
  compaction: compactionItemSchema,
  compaction_summary: compactionItemSchema,
} as const;

export type MessageItem = z.infer<typeof messageItemSchema>;
export type ReasoningItem = z.infer<typeof reasoningItemSchema>;
export type FunctionCallItem = z.infer<typeof functionCallItemSchema>;
export type FunctionCallOutputItem = z.infer<typeof functionCallOutputItemSchema>;
export type CustomToolCallItem = z.infer<typeof customToolCallItemSchema>;
export type CustomToolCallOutputItem = z.infer<typeof customToolCallOutputItemSchema>;
export type ToolSearchCallItem = z.infer<typeof toolSearchCallItemSchema>;
export type ToolSearchOutputItem = z.infer<typeof toolSearchOutputItemSchema>;
export type AdditionalToolsItem = z.infer<typeof additionalToolsItemSchema>;
export type LocalShellCallItem = z.infer<typeof localShellCallItemSchema>;
export type WebSearchCallItem = z.infer<typeof webSearchCallItemSchema>;
export type ImageGenerationCallItem = z.infer<typeof imageGenerationCallItemSchema>;
export type AgentMessageItem = z.infer<typeof agentMessageItemSchema>;
export type CompactionItem = z.infer<typeof compactionItemSchema> & { type: 'compaction' };

/** An input item after validation; `message` items always carry their type. */
export type InputItem =
  | (MessageItem & { type: 'message' })
  | ReasoningItem
  | FunctionCallItem
  | FunctionCallOutputItem
  | CustomToolCallItem
  | CustomToolCallOutputItem
  | ToolSearchCallItem
  | ToolSearchOutputItem
  | AdditionalToolsItem
  | LocalShellCallItem
  | WebSearchCallItem
  | ImageGenerationCallItem
  | AgentMessageItem
  | CompactionItem;

export const functionToolSchema = z
  .object({
    type: z.literal('function'),
    name: z.string().min(1),
    description: z.string().nullish(),
    parameters: jsonObjectSchema.nullish(),
    strict: z.boolean().nullish(),
  })
  .loose();

export const customToolSchema = z
  .object({
    type: z.literal('custom'),
    name: z.string().min(1),
    description: z.string().nullish(),
    format: z
      .object({ type: z.string(), syntax: z.string().nullish(), definition: z.string().nullish() })
      .loose()
      .nullish(),
  })
  .loose();

export const namespaceToolSchema = z
  .object({
    type: z.literal('namespace'),
    name: z.string().min(1),
    description: z.string().nullish(),
    tools: z.array(z.union([functionToolSchema, customToolSchema])),
  })
  .loose();

export const toolSearchToolSchema = z
  .object({
    type: z.literal('tool_search'),
    description: z.string().nullish(),
    parameters: jsonObjectSchema.nullish(),
    execution: z.string().nullish(),
  })
  .loose();

export const toolSchemas = {
  function: functionToolSchema,
  custom: customToolSchema,
  namespace: namespaceToolSchema,
  tool_search: toolSearchToolSchema,
} as const;

export type FunctionTool = z.infer<typeof functionToolSchema>;
export type CustomTool = z.infer<typeof customToolSchema>;
export type NamespaceTool = z.infer<typeof namespaceToolSchema>;
export type ToolSearchTool = z.infer<typeof toolSearchToolSchema>;
export type ToolDefinition = FunctionTool | CustomTool | NamespaceTool | ToolSearchTool;

/** Tools a Chat Completions upstream cannot run; dropped from the tool list. */
export const HOSTED_TOOL_TYPES = new Set([
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'image_generation',
  'local_shell',
  'file_search',
  'code_interpreter',
  'computer_use_preview',
  'computer',
  'mcp',
  'shell',
  'apply_patch',
]);

const toolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.enum(['function', 'custom']), name: z.string().min(1), namespace: z.string().nullish() }).loose(),
  z
    .object({
      type: z.literal('allowed_tools'),
      mode: z.enum(['auto', 'required']).nullish(),
      tools: z.array(z.object({ type: z.string(), name: z.string().nullish() }).loose()),
    })
    .loose(),
  z.object({ type: z.string() }).loose(),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

const textFormatSchema = z.union([
  z.object({ type: z.literal('text') }).loose(),
  z.object({ type: z.literal('json_object') }).loose(),
  z
    .object({
      type: z.literal('json_schema'),
      name: z.string().nullish(),
      schema: jsonObjectSchema,
      strict: z.boolean().nullish(),
      description: z.string().nullish(),
    })
    .loose(),
]);
export type TextFormat = z.infer<typeof textFormatSchema>;

export const reasoningEffortSchema = z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);
export type ReasoningEffort = z.infer<typeof reasoningEffortSchema>;

export const responsesRequestSchema = z
  .object({
    model: z.string().min(1),
    // Items and tools are validated one by one, by type (parse-request.ts).
    input: z.union([z.string(), z.array(z.unknown())]).optional(),
    instructions: z.union([z.string(), z.array(z.unknown())]).nullish(),
    tools: z.array(z.unknown()).nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    reasoning: z.object({ effort: reasoningEffortSchema.nullish(), summary: z.string().nullish() }).loose().nullish(),
    max_output_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    text: z.object({ format: textFormatSchema.nullish(), verbosity: z.string().nullish() }).loose().nullish(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    previous_response_id: z.string().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    user: z.string().nullish(),
    prompt_cache_key: z.string().nullish(),
    service_tier: z.string().nullish(),
    truncation: z.string().nullish(),
  })
  .loose();

type RawRequest = z.infer<typeof responsesRequestSchema>;

/** The validated request; `input` is always an array of typed items. */
export interface ResponsesRequest {
  model: string;
  input: InputItem[];
  tools: ToolDefinition[];
  /** Instructions as text (an array of messages is folded into `input`). */
  instructions: string | null;
  tool_choice?: RawRequest['tool_choice'];
  parallel_tool_calls?: boolean | null;
  reasoning?: RawRequest['reasoning'];
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  text?: RawRequest['text'];
  stream?: boolean | null;
  store?: boolean | null;
  previous_response_id?: string | null;
  metadata?: Record<string, string> | null;
  user?: string | null;
  prompt_cache_key?: string | null;
  service_tier?: string | null;
  truncation?: string | null;
}
