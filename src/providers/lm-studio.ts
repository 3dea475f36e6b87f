/**
 * LM Studio's local server (:1234/v1 by default). No key. Reasoning streams
 * as `reasoning_content` or `reasoning` depending on the model and settings;
 * there is no per-request effort control. Structured output takes only
 * `json_schema` (a `json_object` response format is refused), so a request
 * for any JSON object is sent as the schema of any object. Chat templates
 * usually want one system message, first. Context lengths are listed at
 * /api/v0/models (`max_context_length`).
 */
import { defineProvider, LOCAL_RUNTIME } from './define-provider.js';

/** The LM Studio profile (`--provider lm-studio`). */
export const lmStudioProvider = defineProvider({
  id: 'lm-studio',
  displayName: 'LM Studio',
  defaultBaseUrl: 'http://127.0.0.1:1234/v1',
  ...LOCAL_RUNTIME,
  reasoningEfforts: [],
  hooks: {
    finalizeRequest(request) {
      if (request.response_format?.type === 'json_object') {
        request.response_format = {
          type: 'json_schema',
          json_schema: { name: 'json_object', schema: { type: 'object' } },
        };
      }
      return request;
    },
  },
});
