/**
 * A whole Responses request → a Chat Completions request for one provider.
 * Pure: everything it needs is passed in, nothing is read or written.
 */

import type { ChatRequest } from '../chat-types.js';
import { findModel } from '../find-model.js';
import type { TranslationNote } from '../notes.js';
import type { ProviderProfile, RequestContext } from '../provider-hooks.js';
import type { ToolNameMap } from '../tool-names.js';
import { type ConvertInputOptions, convertInput } from './convert-input.js';
import { convertToolChoice, convertTools } from './convert-tools.js';
import { InputTranslation } from './incremental-input.js';
import { parseTools } from './parse-request.js';
import type { ResponsesRequest, ToolDefinition } from './responses-schema.js';
import { hoistSystemMessages } from './system-messages.js';

export interface BuiltChatRequest {
  body: ChatRequest;
  /** Maps the flat tool names the model will call back to Responses tools. */
  names: ToolNameMap;
  notes: TranslationNote[];
  context: RequestContext;
  /** The input's translation, to extend next turn; only when asked for (`continuation`). */
  translation?: InputTranslation;
}

/** A conversation translated turn by turn (a WebSocket chain): the earlier turn's translation, if kept. */
export interface TranslationContinuation {
  earlier: InputTranslation | undefined;
}

/**
 * Builds the upstream request. `upstreamModel` is the model after mapping.
 * With a `continuation`, the input's translation is returned too, and only the
 * items after the earlier translation's are translated when it can be extended.
 */
export function buildChatRequest(
  request: ResponsesRequest,
  profile: ProviderProfile,
  upstreamModel: string,
  notes: TranslationNote[] = [],
  continuation?: TranslationContinuation,
): BuiltChatRequest {
  const model = findModel(profile, upstreamModel);
  const effort = request.reasoning?.effort ?? undefined;
  const context: RequestContext = {
    upstreamModel,
    effort,
    model,
    supportedEfforts: model?.reasoningEfforts ?? profile.reasoningEfforts,
  };

  const converted = convertTools([...request.tools, ...toolsFromInput(request, notes)]);
  const { toolChoice, tools } = convertToolChoice(request.tool_choice, converted, notes);

  const inputOptions: ConvertInputOptions = {
    hooks: profile.hooks,
    context,
    names: converted.names,
    images: model?.images ?? profile.images,
    imagesInToolResults: profile.imagesInToolResults,
  };
  const translation = continuation
    ? (continuation.earlier?.extend(request.input, inputOptions, notes) ??
      InputTranslation.translate(request.input, inputOptions, notes))
    : undefined;
  let messages = translation
    ? translation.messages(request.instructions)
    : convertInput(request.instructions, request.input, inputOptions, notes);
  if (!profile.systemMessagesAnywhere) messages = hoistSystemMessages(messages);

  const body: ChatRequest = { model: upstreamModel, messages, stream: true };
  if (profile.acceptsStreamOptions) body.stream_options = { include_usage: true };
  if (tools.length > 0) {
    body.tools = tools;
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
    if (typeof request.parallel_tool_calls === 'boolean') body.parallel_tool_calls = request.parallel_tool_calls;
  }
  if (typeof request.max_output_tokens === 'number') body[profile.maxTokensParameter] = request.max_output_tokens;
  if (typeof request.temperature === 'number') body.temperature = request.temperature;
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  const format = request.text?.format;
  if (format?.type === 'json_schema') {
    const schema = format as {
      name?: string | null;
      schema: Record<string, unknown>;
      strict?: boolean | null;
      description?: string | null;
    };
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: schema.name ?? 'output',
        schema: schema.schema,
        ...(typeof schema.strict === 'boolean' ? { strict: schema.strict } : {}),
        ...(schema.description ? { description: schema.description } : {}),
      },
    };
  } else if (format?.type === 'json_object') {
    body.response_format = { type: 'json_object' };
  }
  if (effort !== undefined) profile.hooks.applyReasoningEffort(body, effort, context);

  return {
    body: profile.hooks.finalizeRequest(body, context),
    names: converted.names,
    notes,
    context,
    ...(translation ? { translation } : {}),
  };
}

/** Tools a tool_search returned and tools added mid-conversation join the tool list. */
function toolsFromInput(request: ResponsesRequest, notes: TranslationNote[]): ToolDefinition[] {
  const found: ToolDefinition[] = [];
  request.input.forEach((item, index) => {
    if (item.type !== 'tool_search_output' && item.type !== 'additional_tools') return;
    try {
      found.push(...parseTools(item.tools, `input[${index}].tools`, notes));
    } catch (error) {
      notes.push({ level: 'warn', message: `ignored malformed tools in input[${index}]: ${(error as Error).message}` });
    }
  });
  return found;
}
