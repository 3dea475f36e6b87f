/**
 * A client's Chat Completions request → the same request for the routed
 * provider, without a detour through the Responses shapes. Pure. What changes
 * on the way is only what the provider needs: the upstream model, the
 * provider's reasoning and max-tokens fields, its tool-call id rules, system
 * messages where its template wants them, usage in the stream, and the
 * profile's last word (finalizeRequest: dropped fields, reasoning echo rules).
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import type { ChatAssistantMessage, ChatMessage, ChatRequest, ChatToolCall } from '../chat-types.js';
import { findModel } from '../find-model.js';
import type { ProviderProfile, RequestContext } from '../provider-hooks.js';
import { zodErrorToRelayError } from '../request/parse-request.js';
import { type ReasoningEffort, reasoningEffortSchema } from '../request/responses-schema.js';
import { hoistSystemMessages } from '../request/system-messages.js';

const messageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]).nullish(),
    tool_calls: z
      .array(
        z
          .object({
            id: z.string().min(1),
            type: z.string().nullish(),
            function: z.object({ name: z.string().min(1), arguments: z.string() }).loose(),
          })
          .loose(),
      )
      .nullish(),
    tool_call_id: z.string().nullish(),
  })
  .loose();

const chatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(messageSchema).min(1),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
    tools: z
      .array(z.object({ type: z.string(), function: z.object({ name: z.string().min(1) }).loose() }).loose())
      .nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    reasoning_effort: reasoningEffortSchema.nullish(),
    n: z.number().int().nullish(),
  })
  .loose();

export interface ClientChatRequest {
  /** The body as the client sent it (validated). */
  body: Record<string, unknown> & { model: string; messages: Array<Record<string, unknown>> };
  stream: boolean;
  /** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  effort: ReasoningEffort | undefined;
}

export interface BuiltPassthroughRequest {
  body: ChatRequest;
  context: RequestContext;
  /** The function names offered, so leaked markup is only read as a call to a real tool. */
  toolNames: ReadonlySet<string>;
  notes: [];
}

/** Validates a Chat Completions request body (400 in OpenAI's shape, naming the field). */
export function parseChatRequest(body: unknown): ClientChatRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw invalidRequest('The request body must be a JSON object.');
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) throw zodErrorToRelayError(result.error, [], body);
  const raw = result.data;
  if (typeof raw.n === 'number' && raw.n !== 1)
    throw invalidRequest('Only n = 1 is supported by this relay.', 'n', 'unsupported_value');
  return {
    body: body as ClientChatRequest['body'],
    stream: raw.stream === true,
    includeUsage: raw.stream_options?.include_usage === true,
    effort: raw.reasoning_effort ?? undefined,
  };
}

/** Builds the upstream request for one provider and model. */
export function buildPassthroughRequest(
  client: ClientChatRequest,
  profile: ProviderProfile,
  upstreamModel: string,
): BuiltPassthroughRequest {
  const model = findModel(profile, upstreamModel);
  const context: RequestContext = {
    upstreamModel,
    effort: client.effort,
    model,
    supportedEfforts: model?.reasoningEfforts ?? profile.reasoningEfforts,
  };
  const {
    stream: _stream,
    stream_options: _options,
    reasoning_effort: _effort,
    max_tokens: maxTokens,
    max_completion_tokens: maxCompletionTokens,
    messages,
    ...rest
  } = client.body;
  let converted = (messages as Array<Record<string, unknown>>).map((message) =>
    convertMessage(message, profile, context),
  );
  if (!profile.systemMessagesAnywhere) converted = hoistSystemMessages(converted);

  const body: ChatRequest = { ...rest, model: upstreamModel, messages: converted, stream: true };
  // The relay always streams upstream and always wants usage (metrics, logs); the client gets the usage chunk only if it asked.
  if (profile.acceptsStreamOptions) body.stream_options = { include_usage: true };
  const limit = maxCompletionTokens ?? maxTokens;
  if (typeof limit === 'number') body[profile.maxTokensParameter] = limit;
  if (client.effort !== undefined) profile.hooks.applyReasoningEffort(body, client.effort, context);
  const toolNames = new Set((body.tools ?? []).map((tool) => tool.function.name));
  return { body: profile.hooks.finalizeRequest(body, context), context, toolNames, notes: [] };
}

/** One message for the provider: `developer` as system, tool-call ids by its rules, reasoning in its field. */
function convertMessage(
  message: Record<string, unknown>,
  profile: ProviderProfile,
  context: RequestContext,
): ChatMessage {
  const hooks = profile.hooks;
  switch (message.role) {
    case 'developer':
      return { ...message, role: 'system', content: textOf(message.content) } as ChatMessage;
    case 'system':
      return { ...message, content: textOf(message.content) } as ChatMessage;
    case 'tool':
      return {
        ...message,
        tool_call_id: hooks.toUpstreamToolCallId(String(message.tool_call_id ?? '')),
      } as ChatMessage;
    case 'assistant': {
      const assistant = {
        ...message,
        role: 'assistant',
        content: (message.content ?? null) as ChatAssistantMessage['content'],
      } as ChatAssistantMessage;
      if (Array.isArray(message.tool_calls)) {
        assistant.tool_calls = (message.tool_calls as ChatToolCall[]).map((call) => ({
          ...call,
          type: 'function',
          id: hooks.toUpstreamToolCallId(call.id),
        }));
      }
      echoKeptReasoning(assistant, profile, context);
      return assistant;
    }
    default:
      return message as unknown as ChatMessage;
  }
}

/**
 * Reasoning the client kept stays as it sent it. When it is in a field the
 * provider does not read (`reasoning` for a provider that wants DeepSeek's
 * `reasoning_content`, or the other way round), the provider's own field is
 * added with the same text, so a thinking model gets its reasoning back.
 */
function echoKeptReasoning(message: ChatAssistantMessage, profile: ProviderProfile, context: RequestContext): void {
  const text =
    typeof message.reasoning_content === 'string'
      ? message.reasoning_content
      : typeof message.reasoning === 'string'
        ? message.reasoning
        : '';
  if (text === '') return;
  const echoed: ChatAssistantMessage = { role: 'assistant', content: null };
  profile.hooks.echoReasoning(echoed, { text }, context);
  for (const [field, value] of Object.entries(echoed)) {
    if (field !== 'role' && field !== 'content' && message[field] === undefined) message[field] = value;
  }
}

/** System text: Chat allows text parts, which every provider takes as one string. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
        ? (part as { text: string }).text
        : '',
    )
    .join('\n\n');
}
