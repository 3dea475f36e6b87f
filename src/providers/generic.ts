/** Any OpenAI-compatible Chat Completions server: the default profile. */
import { defineProvider } from './define-provider.js';

export const genericProvider = defineProvider({
  id: 'generic',
  displayName: 'OpenAI-compatible',
  apiKeyEnv: 'OPENAI_API_KEY',
  requiresApiKey: false,
});
