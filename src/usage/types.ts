/**
 * The usage ledger: one record per turn, with what the upstream reported and
 * how the turn went, never request or response content. Kept behind its own
 * small interface so each store kind can hold it its own way.
 */

/** Who sent the turn, from its user agent. */
export type UsageClient = 'codex' | 'claude-code' | 'openai-sdk' | 'other';

/** How the turn ended; `client_gone` when the client left before the end. */
export type UsageOutcome = 'completed' | 'incomplete' | 'failed' | 'client_gone';

/** The API a client spoke: Responses, Anthropic Messages or Chat Completions. */
export type UsageDialect = 'responses' | 'messages' | 'chat';

/**
 * `sse` for a streamed Responses turn, `json` for `stream: false` (as before
 * the other dialects were served); `messages-…` and `chat-…` the same for
 * Anthropic Messages and Chat Completions; `websocket` for a Responses turn
 * on a WebSocket.
 */
export type UsageTransport = 'sse' | 'json' | 'messages-sse' | 'messages-json' | 'chat-sse' | 'chat-json' | 'websocket';

/** The transport recorded for a turn in `dialect`. */
export function transportOf(dialect: UsageDialect, streamed: boolean): UsageTransport {
  const mode = streamed ? 'sse' : 'json';
  return dialect === 'responses' ? mode : `${dialect}-${mode}`;
}

export interface UsageRecord {
  /** The response id, or the request id when no response was started. */
  id: string;
  /** When the request arrived, milliseconds since the epoch. */
  startedAt: number;
  client: UsageClient;
  /** How the turn came in: see `UsageTransport`. */
  transport: UsageTransport;
  /** The provider that served the turn (the fallback's, when one answered). */
  provider: string;
  /** The model the client asked for. */
  requestedModel: string;
  /** The model sent upstream. */
  upstreamModel: string;
  outcome: UsageOutcome;
  /** The failure's code (e.g. `rate_limit_exceeded`) when the turn failed. */
  errorCode: string | null;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Milliseconds from the request to the first output delta; null when none came. */
  firstTokenMs: number | null;
  durationMs: number;
  retries: number;
  fallbacks: number;
  /** Estimated cost in US dollars at list price; null when the model has no known price. */
  costUsd: number | null;
  /** What cached input saved against the uncached input price; null when unknown. */
  savedUsd: number | null;
}

/** A time range, milliseconds since the epoch, both ends included. */
export interface UsageRange {
  since?: number | undefined;
  until?: number | undefined;
}

/** Where usage records are kept. Methods are async so a networked store fits. */
export interface UsageLedger {
  readonly kind: string;
  /** Appends records (one batch, one write). */
  record(records: readonly UsageRecord[]): Promise<void>;
  /** Records that started within the range, oldest first. */
  query(range: UsageRange): Promise<UsageRecord[]>;
  /** Removes records that started before `before`; returns how many went. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

/** Default of `--usage-retention`: 30 days. */
export const DEFAULT_USAGE_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
