/** Every end-to-end scenario, in the order of the compatibility matrix. */
import type { E2EScenario } from '../harness.js';
import { remoteCompaction } from './compaction.js';
import {
  contentFilter,
  keyRefused,
  overloadBeforeFirstByte,
  overloadMidStream,
  quotaExhausted,
  rateLimitWithoutRetryAfter,
  resetMidStream,
  slowFirstByte,
  upstreamIdleTimeout,
} from './failures.js';
import { mcpTool } from './mcp.js';
import { multiAgent } from './multi-agent.js';
import {
  autoCompaction,
  contextLengthError,
  kimiParallelThinking,
  rateLimitRetry,
  resumedSession,
  silentUpstream,
  streamErrorRetry,
  thinkingModel,
} from './resilience.js';
import { applyPatch, execCommand, outputSchema, parallelCalls, plainAnswer, viewImage } from './tools.js';

export const E2E_SCENARIOS: E2EScenario[] = [
  plainAnswer,
  execCommand,
  parallelCalls,
  applyPatch,
  thinkingModel,
  viewImage,
  outputSchema,
  rateLimitRetry,
  autoCompaction,
  remoteCompaction,
  streamErrorRetry,
  mcpTool,
  silentUpstream,
  kimiParallelThinking,
  contextLengthError,
  resumedSession,
  overloadBeforeFirstByte,
  overloadMidStream,
  resetMidStream,
  upstreamIdleTimeout,
  rateLimitWithoutRetryAfter,
  quotaExhausted,
  keyRefused,
  contentFilter,
  slowFirstByte,
  multiAgent,
];
