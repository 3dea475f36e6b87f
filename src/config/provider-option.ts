/**
 * `--provider <name>`: picks a provider profile for the single-upstream form.
 * The profile supplies the default base URL and the variable holding the key;
 * `--upstream`, `--upstream-key-env` and `--upstream-key` still win.
 */

import { genericProvider } from '../providers/generic.js';
import { findProviderProfile, PROVIDER_IDS, PROVIDER_PROFILES } from '../providers/index.js';
import type { ProviderProfile } from '../translate/provider-hooks.js';
import { CliError } from './cli-error.js';

/** The profile named by --provider (generic when none is named). */
export function resolveProviderProfile(name: string | undefined): ProviderProfile {
  if (name === undefined || name.trim() === '') return genericProvider;
  const profile = findProviderProfile(name);
  if (!profile) throw new CliError(`unknown provider '${name}'; choose one of: ${PROVIDER_IDS.join(', ')}`);
  return profile;
}

/** The profile list printed at the end of `--help` (base URLs are in docs/providers.md). */
export function providerHelp(): string {
  const rows = PROVIDER_PROFILES.map((profile) => {
    const key = profile.local
      ? 'local, no key needed'
      : profile.apiKeyEnv
        ? `key from ${profile.apiKeyEnv}`
        : 'give --upstream; key via --upstream-key-env';
    return `  ${profile.id.padEnd(11)} ${profile.displayName.padEnd(18)} ${key}`;
  });
  return ['Provider profiles for --provider (the default is generic):', ...rows].join('\n');
}
