/**
 * Gemini through Google's OpenAI-compatible endpoint
 * (generativelanguage.googleapis.com/v1beta/openai). Gemini 3 puts a thought
 * signature on tool calls (`extra_content.google.thought_signature`) that must
 * come back on the same call, or the next request is a 400; the relay carries
 * it in the reasoning envelope. A call without one (history from another
 * model) gets the placeholder signature Google documents for that case.
 * Reasoning text is not sent back (Google rejects unknown fields). Tool-call
 * deltas may lack `index`. Rate limits come as RESOURCE_EXHAUSTED with the
 * wait in a RetryInfo detail, sometimes inside a one-element array.
 */
import type { ChatToolCall } from '../translate/chat-types.js';
import { classifyUpstreamError, extractErrorMessage, type UpstreamFailure } from '../translate/upstream-errors.js';
import { readGoogleThoughtSignature } from './chunk-extensions.js';
import { defineProvider } from './define-provider.js';
import { modelMatches } from './request-shaping.js';

/** Google's documented stand-in for a function call the model did not produce itself. */
export const PLACEHOLDER_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const GEMINI_3 = { contextWindow: 1_048_576, maxOutputTokens: 65_536, images: true };

/** The Gemini profile (`--provider gemini`). */
export const geminiProvider = defineProvider({
  id: 'gemini',
  displayName: 'Gemini',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
  apiKeyEnv: 'GEMINI_API_KEY',
  maxTokensParameter: 'max_tokens',
  images: true,
  reasoningEfforts: ['low', 'medium', 'high'],
  models: [
    {
      id: 'gemini-3.1-pro-preview',
      ...GEMINI_3,
      reasoningEfforts: ['low', 'medium', 'high'],
      defaultReasoningEffort: 'high',
    },
    { id: 'gemini-3-pro-preview', ...GEMINI_3, reasoningEfforts: ['low', 'high'], defaultReasoningEffort: 'high' },
    {
      id: 'gemini-3-flash-preview',
      ...GEMINI_3,
      reasoningEfforts: ['minimal', 'low', 'medium', 'high'],
      defaultReasoningEffort: 'high',
    },
    {
      id: 'gemini-3.1-flash-lite-preview',
      ...GEMINI_3,
      reasoningEfforts: ['minimal', 'low', 'medium', 'high'],
      defaultReasoningEffort: 'minimal',
    },
    { id: 'gemini-2.5-pro', ...GEMINI_3, reasoningEfforts: ['low', 'medium', 'high'], defaultReasoningEffort: 'high' },
    {
      id: 'gemini-2.5-flash',
      ...GEMINI_3,
      reasoningEfforts: ['none', 'low', 'medium', 'high'],
      defaultReasoningEffort: 'medium',
    },
    {
      id: 'gemini-2.5-flash-lite',
      ...GEMINI_3,
      reasoningEfforts: ['none', 'low', 'medium', 'high'],
      defaultReasoningEffort: 'none',
    },
  ],
  hooks: {
    // The generic default too (gateways pass signatures on); stated here as Gemini's own.
    readToolCallSignature: readGoogleThoughtSignature,
    echoReasoning(message, reasoning) {
      const signatures = reasoning.signatures ?? {};
      for (const call of message.tool_calls ?? []) {
        const signature = signatures[call.id];
        if (signature !== undefined) setSignature(call, signature);
      }
    },
    // finalizeRequest sets placeholder signatures on the messages' tool calls themselves.
    changesMessagesInPlace: true,
    finalizeRequest(request, context) {
      if (!modelMatches(context.upstreamModel, ['gemini-3'])) return request;
      for (const message of request.messages) {
        if (message.role !== 'assistant') continue;
        const first = message.tool_calls?.[0];
        // Gemini 3 checks the first call of each step for a signature.
        if (first && signatureOf(first) === undefined) setSignature(first, PLACEHOLDER_THOUGHT_SIGNATURE);
      }
      return request;
    },
    classifyError: classifyGeminiError,
  },
});

function setSignature(call: ChatToolCall, signature: string): void {
  call.extra_content = { google: { thought_signature: signature } };
}

function signatureOf(call: ChatToolCall): string | undefined {
  const signature = (call.extra_content as { google?: { thought_signature?: unknown } } | undefined)?.google
    ?.thought_signature;
  return typeof signature === 'string' ? signature : undefined;
}

interface GoogleError {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

/** RESOURCE_EXHAUSTED with a RetryInfo delay is a rate limit to wait out; a spent daily quota is not. */
export function classifyGeminiError(status: number | undefined, body: unknown): UpstreamFailure | undefined {
  const unwrapped = Array.isArray(body) ? body[0] : body;
  const error = (unwrapped as { error?: GoogleError } | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const details = Array.isArray(error.details) ? (error.details as Array<Record<string, unknown>>) : [];
  const exhausted = status === 429 || error.status === 'RESOURCE_EXHAUSTED';
  if (!exhausted) {
    // Let the generic mapping read the unwrapped body (context overflow, overload, …).
    return Array.isArray(body) ? classifyUpstreamError(status, unwrapped, undefined, 'Gemini') : undefined;
  }
  const quotaIds = details.flatMap((detail) =>
    (Array.isArray(detail.violations) ? (detail.violations as Array<{ quotaId?: unknown }>) : []).map((violation) =>
      String(violation.quotaId ?? ''),
    ),
  );
  const message = extractErrorMessage(unwrapped);
  if (quotaIds.some((id) => /PerDay/i.test(id))) {
    return {
      code: 'insufficient_quota',
      message: `The daily Gemini API quota is used up: ${message}`,
      ...(status !== undefined ? { status } : {}),
    };
  }
  const delay = details
    .map((detail) => (typeof detail.retryDelay === 'string' ? parseDuration(detail.retryDelay) : undefined))
    .find((value) => value !== undefined);
  // Google says "exceeded your current quota" for per-minute limits too; with a delay to wait it is a rate limit.
  const seconds = delay ?? 1;
  return {
    code: 'rate_limit_exceeded',
    message: `Rate limit reached at Gemini: ${message}. Please try again in ${seconds}s.`,
    retryAfterSeconds: seconds,
    ...(status !== undefined ? { status } : {}),
  };
}

/** Google durations: "37s", "1.5s". */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}
