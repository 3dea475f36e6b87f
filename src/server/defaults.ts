/**
 * The server's defaults, in a module of their own so the command line can
 * show and check them without loading the server.
 */
import type { UpstreamTimeouts } from '../upstream/chat-client.js';

export const DEFAULT_TIMEOUTS: UpstreamTimeouts = {
  connectMs: 10_000,
  firstByteMs: 300_000,
  idleMs: 300_000,
  totalMs: 1_800_000,
};
export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_MAX_BODY_MB = 50;
export const DEFAULT_MAX_CONCURRENT = 64;
export const DEFAULT_MAX_QUEUE = 256;
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;
export const DEFAULT_MODELS_TTL_MS = 300_000;
/** Request bodies of recent HTTP conversations kept to read only each turn's new items; what they carry (parsed items, translations) takes about three times as much again. */
export const DEFAULT_PREFIX_CACHE_MB = 8;
