/**
 * Any OpenAI-compatible Chat Completions server: the default profile. It
 * names no key variable on purpose, so an OpenAI key in the environment is
 * never sent to some other server unless asked for with --upstream-key-env.
 */
import { defineProvider } from './define-provider.js';

/** The OpenAI-compatible profile (`--provider generic`). */
export const genericProvider = defineProvider({
  id: 'generic',
  displayName: 'OpenAI-compatible',
  requiresApiKey: false,
});
