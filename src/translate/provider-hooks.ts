/**
 * A provider profile: data about one Chat Completions provider plus hooks for
 * its quirks. Translation code calls hooks; it never asks which provider it
 * is talking to. The interface belongs to translate, which uses it; each file
 * in src/providers/ implements it.
 */
import type { ChatAssistantMessage, ChatChunk, ChatRequest, ChatToolCallDelta, ChatUsage } from './chat-types.js';
import type { ReasoningCarrier } from './reasoning-envelope.js';
import type { ReasoningEffort } from './request/responses-schema.js';
import type { ContentSplitter } from './stream/content-splitter.js';
import type { UpstreamFailure } from './upstream-errors.js';
import type { Usage } from './usage.js';

/** What the relay knows about one upstream model. */
export interface ProviderModel {
  /** The upstream model id. */
  id: string;
  contextWindow: number;
  maxOutputTokens?: number;
  /** Reasoning efforts the model accepts; empty or missing means no control. */
  reasoningEfforts?: ReasoningEffort[];
  defaultReasoningEffort?: ReasoningEffort;
  /** Whether the model accepts image input. */
  images?: boolean;
}

/** A model's list price in US dollars per million tokens, and where it was read. */
export interface ModelPrice {
  /** The upstream model id. */
  model: string;
  inputPerMillion: number;
  /** Input served from the provider's prompt cache; absent when the provider bills it as input. */
  cachedInputPerMillion?: number;
  outputPerMillion: number;
  /** The page the price was read from. */
  source: string;
  /** The day it was read there, YYYY-MM-DD. */
  takenOn: string;
}

/** Per-request facts hooks may look at. */
export interface RequestContext {
  upstreamModel: string;
  /** The requested reasoning effort, if any. */
  effort: ReasoningEffort | undefined;
  /** Known facts about the model, when the profile lists it. */
  model: ProviderModel | undefined;
  /** Efforts the model accepts (the model's list, else the profile's). */
  supportedEfforts: readonly ReasoningEffort[];
}

/** The tool names of one request, so a splitter only turns markup for real tools into calls. */
export interface KnownToolNames {
  has(upstreamName: string): boolean;
}

export interface ProviderHooks {
  /** Puts reasoning recovered from history on the assistant message it belongs to. */
  echoReasoning(message: ChatAssistantMessage, reasoning: ReasoningCarrier, context: RequestContext): void;
  /** Maps a tool-call id from history to one the upstream accepts. */
  toUpstreamToolCallId(id: string): string;
  /** Applies `reasoning.effort` to the outgoing request. */
  applyReasoningEffort(request: ChatRequest, effort: ReasoningEffort, context: RequestContext): void;
  /** The last word on the outgoing request: drop fields, fix ordering rules. */
  finalizeRequest(request: ChatRequest, context: RequestContext): ChatRequest;
  /**
   * Whether `finalizeRequest` changes the request's message objects in place
   * (rather than replacing them): a WebSocket chain then hands it copies of the
   * messages it keeps between turns instead of the messages themselves.
   */
  changesMessagesInPlace: boolean;
  /** Finds usage in a chunk, wherever the provider puts it. */
  readUsage(chunk: ChatChunk): ChatUsage | undefined;
  /** Converts provider usage to Responses usage. */
  normalizeUsage(usage: ChatUsage): Usage;
  /** Reasoning text in a streamed content part that is not text (Mistral `thinking` parts); undefined when it carries none. */
  readReasoningPart(part: Record<string, unknown>): string | undefined;
  /** An opaque signature on a streamed tool call that must go back with the call (Gemini). */
  readToolCallSignature(fragment: ChatToolCallDelta): string | undefined;
  /** Splitters applied to streamed content (think tags, leaked tool-call markup). */
  createContentSplitters(tools: KnownToolNames): ContentSplitter[];
  /** Maps an upstream error; undefined falls back to the generic mapping. */
  classifyError(status: number | undefined, body: unknown, message: string): UpstreamFailure | undefined;
}

export interface ProviderProfile {
  /** Profile id, e.g. `deepseek`. */
  id: string;
  displayName: string;
  /** Base URL ending in /v1 (or the provider's equivalent). */
  defaultBaseUrl: string | undefined;
  /** Environment variable that conventionally holds the API key. */
  apiKeyEnv: string | undefined;
  /** Hosted APIs always want a key; without one the relay refuses to start. */
  requiresApiKey: boolean;
  /** A runtime the user runs (Ollama, vLLM, llama.cpp, LM Studio): no key, wherever it listens. */
  local: boolean;
  maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
  /** Whether `stream_options: {include_usage: true}` may be sent. */
  acceptsStreamOptions: boolean;
  /**
   * Top-level request fields the provider accepts; anything else is dropped
   * before sending. Undefined sends every field (for lenient providers).
   */
  allowedRequestFields: readonly string[] | undefined;
  /** Whether images may be sent at all (per model overrides via `models`). */
  images: boolean;
  /** Whether images may sit inside tool messages; otherwise they follow as a user message. */
  imagesInToolResults: boolean;
  /** Whether system messages may appear after the first non-system message. */
  systemMessagesAnywhere: boolean;
  /** Reasoning efforts accepted when the model is not listed. */
  reasoningEfforts: ReasoningEffort[];
  /** The effort the provider uses when none is sent, when the model does not say. */
  defaultReasoningEffort: ReasoningEffort | undefined;
  /** Known models with their context windows. */
  models: ProviderModel[];
  /** List prices of the models whose price could be checked; a model without one has an unknown cost. */
  prices: ModelPrice[];
  hooks: ProviderHooks;
}
