/**
 * The part of Anthropic's Messages API request this relay reads, as zod
 * schemas. Loose like the Responses schemas: fields with no Chat Completions
 * equivalent (metadata, context_management, cache_control, …) are accepted
 * and ignored; the fields that are read must have the right types.
 */
import { z } from 'zod';
import { jsonObjectSchema } from '../request/responses-schema.js';

/** A content block of any type; known types are validated where they are read. */
const contentBlockSchema = z.object({ type: z.string() }).loose();

export const textBlockSchema = z.object({ type: z.literal('text'), text: z.string() }).loose();

export const imageBlockSchema = z
  .object({
    type: z.literal('image'),
    source: z.union([
      z.object({ type: z.literal('base64'), media_type: z.string(), data: z.string() }).loose(),
      z.object({ type: z.literal('url'), url: z.string() }).loose(),
    ]),
  })
  .loose();

export const toolUseBlockSchema = z
  .object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() })
  .loose();

export const toolResultBlockSchema = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().min(1),
    content: z.union([z.string(), z.array(contentBlockSchema)]).nullish(),
    is_error: z.boolean().nullish(),
  })
  .loose();

export const thinkingBlockSchema = z
  .object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().nullish() })
  .loose();

export const redactedThinkingBlockSchema = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).loose();

export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;
export type ImageBlock = z.infer<typeof imageBlockSchema>;

const messageSchema = z
  .object({
    // `system` is not in Anthropic's documentation, but Claude Code 2.1 sends its environment that way.
    role: z.enum(['user', 'assistant', 'system']),
    content: z.union([z.string(), z.array(contentBlockSchema)]),
  })
  .loose();

export type AnthropicMessage = z.infer<typeof messageSchema>;

const toolSchema = z
  .object({
    name: z.string().min(1),
    type: z.string().nullish(),
    description: z.string().nullish(),
    input_schema: jsonObjectSchema.nullish(),
  })
  .loose();

export type AnthropicTool = z.infer<typeof toolSchema>;

const toolChoiceSchema = z
  .object({
    type: z.enum(['auto', 'any', 'tool', 'none']),
    name: z.string().min(1).nullish(),
    disable_parallel_tool_use: z.boolean().nullish(),
  })
  .loose();

export type AnthropicToolChoice = z.infer<typeof toolChoiceSchema>;

const thinkingSchema = z
  .object({
    type: z.string(),
    budget_tokens: z.number().int().nonnegative().nullish(),
  })
  .loose();

export const messagesRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema),
    system: z.union([z.string(), z.array(contentBlockSchema)]).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    tools: z.array(toolSchema).nullish(),
    tool_choice: toolChoiceSchema.nullish(),
    thinking: thinkingSchema.nullish(),
    output_config: z.object({ effort: z.string().nullish() }).loose().nullish(),
    stop_sequences: z.array(z.string()).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    stream: z.boolean().nullish(),
  })
  .loose();

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

/** Body of POST /v1/messages/count_tokens: the same fields, without max_tokens. */
export const countTokensRequestSchema = messagesRequestSchema;
