/**
 * The Chat Completions wire shapes the relay writes (requests) and reads
 * (stream chunks). Chunks are read loosely: every field may be missing.
 */

export interface ChatTextPart {
  type: 'text';
  text: string;
}

export interface ChatImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string };
}

export type ChatContentPart = ChatTextPart | ChatImagePart;

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  [extra: string]: unknown;
}

export interface ChatSystemMessage {
  role: 'system';
  content: string;
}

export interface ChatUserMessage {
  role: 'user';
  content: string | ChatContentPart[];
}

/** Mistral carries reasoning as a `thinking` chunk in assistant content. */
export interface ChatThinkingPart {
  type: 'thinking';
  thinking: ChatTextPart[];
}

export interface ChatAssistantMessage {
  role: 'assistant';
  content: string | null | Array<ChatTextPart | ChatThinkingPart>;
  tool_calls?: ChatToolCall[];
  /** Provider-specific reasoning fields (reasoning_content, reasoning_details, …). */
  [extra: string]: unknown;
}

export interface ChatToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string | ChatContentPart[];
}

export type ChatMessage = ChatSystemMessage | ChatUserMessage | ChatAssistantMessage | ChatToolMessage;

export interface ChatFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
  tools?: ChatFunctionTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  reasoning_effort?: string;
  response_format?:
    | {
        type: 'json_schema';
        json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };
      }
    | { type: 'json_object' };
  user?: string;
  /** Provider-specific fields added by provider hooks. */
  [extra: string]: unknown;
}

/** A tool-call fragment inside a streamed delta. */
export interface ChatToolCallDelta {
  index?: number;
  id?: string | null;
  type?: string;
  function?: { name?: string | null; arguments?: string | null } | null;
  [extra: string]: unknown;
}

export interface ChatDelta {
  role?: string | null;
  content?: string | null | unknown[];
  reasoning_content?: string | null;
  reasoning?: string | null;
  reasoning_details?: unknown[] | null;
  tool_calls?: ChatToolCallDelta[] | null;
  refusal?: string | null;
  [extra: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  [extra: string]: unknown;
}

export interface ChatChoiceChunk {
  index?: number;
  delta?: ChatDelta | null;
  /** Non-streaming responses carry `message` instead of `delta`. */
  message?: ChatDelta | null;
  finish_reason?: string | null;
  usage?: ChatUsage | null;
  [extra: string]: unknown;
}

export interface ChatChunk {
  id?: string;
  object?: string;
  model?: string;
  choices?: ChatChoiceChunk[] | null;
  usage?: ChatUsage | null;
  error?: unknown;
  [extra: string]: unknown;
}
