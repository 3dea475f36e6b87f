/**
 * The request a compaction turn sends upstream: the conversation as it is,
 * no tools, and a last user message asking for a summary that can replace it.
 */
import type { ResponsesRequest } from '../request/responses-schema.js';

export const COMPACTION_PROMPT = [
  'The conversation above is about to be replaced by a summary, to free the context window. Write that summary now.',
  'It is all that remains of the conversation, so it must let the work continue without the messages it replaces. Use these headings:',
  '- Request: what the user asked for, in their words where they matter, and any constraints or preferences they stated.',
  '- Decisions: what was decided and why, including approaches tried and rejected.',
  '- Files: every file read, created or changed, with what was done to it.',
  '- State: what is finished, what is half done, and the results of the last commands or tests run (errors verbatim).',
  '- Next steps: what remains to be done, in order.',
  'Be specific (names, paths, commands, values). Do not call tools. Reply with the summary only.',
].join('\n');

/** The request for the summary: the conversation plus the prompt, without tools. */
export function compactionRequest(request: ResponsesRequest): ResponsesRequest {
  const { tool_choice: _toolChoice, ...rest } = request;
  return {
    ...rest,
    tools: [],
    input: [...request.input, { type: 'message', role: 'user', content: COMPACTION_PROMPT }],
  };
}
