/**
 * The commented starter config `responses-relay init` writes, set up for one
 * provider profile, with the other features shown as comments.
 */
import { PROVIDER_IDS } from '../providers/index.js';
import type { ProviderProfile } from '../translate/provider-hooks.js';

/** The starter config text for a profile. */
export function starterConfig(profile: ProviderProfile): string {
  const name = profile.id;
  const firstModel = profile.models[0]?.id;
  const baseUrl = profile.defaultBaseUrl
    ? `# base_url = "${profile.defaultBaseUrl}"`
    : 'base_url = "http://127.0.0.1:8000/v1"   # your server\'s Chat Completions URL';
  const keyLine = profile.apiKeyEnv
    ? `# api_key_env = "${profile.apiKeyEnv}"`
    : `# api_key_env = "MY_PROVIDER_KEY"   # the variable holding the key, if the server needs one`;
  const route = firstModel ? `${name}/${firstModel}` : `${name}/your-model-id`;
  const alias = firstModel ? `coder = "${route}"` : `# coder = "${route}"`;
  const codexModel = firstModel
    ? 'model = "coder"                 # the model Codex starts with'
    : '# model = "coder"               # the model Codex starts with';
  return `# responses-relay configuration.
#
# Everything here is a default: a command-line flag wins over a RESPONSES_RELAY_*
# environment variable, which wins over this file. The format is described in
# docs/configuration.md of responses-relay.

# The provider for model names without a "provider/" prefix (default: the
# first provider below).
default_provider = "${name}"

# Any \`responses-relay serve\` flag, named as on the command line.
[serve]
host = "127.0.0.1"
port = 4444
# log-level = "info"
# upstream-retries = 2            # retries before the first byte, per route
# models-ttl = 300                # seconds an upstream model list is reused

# Upstream providers. The table name is how routes refer to a provider
# ("${route}"). \`profile\` selects the provider's quirks, one of:
# ${PROVIDER_IDS.join(', ')}.
# base_url and api_key_env default to the profile's.
[providers.${name}]
profile = "${name}"
${baseUrl}
${keyLine}
# headers = { "X-Title" = "my-team" }

# A local runtime. Declared models give Codex their context windows:
# [providers.local]
# profile = "ollama"
# base_url = "http://127.0.0.1:11434/v1"
# models = [{ id = "qwen3-coder:30b", context_window = 65536 }]

# Model names a client may send, mapped to "provider/model". With a table, a
# route gets fallbacks, tried in order when it fails before any byte was sent
# back (after its own retries).
[aliases]
${alias}
# reviewer = { route = "${route}", fallbacks = ["local/qwen3-coder:30b"] }

# What \`responses-relay print-config\` and \`responses-relay setup\` write for Codex.
[codex]
${codexModel}
# env_key = "RESPONSES_RELAY_CLIENT_KEY"   # the variable Codex sends to the relay as its key
# catalog = "~/.config/responses-relay/codex-models.json"
`;
}
