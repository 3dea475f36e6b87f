/**
 * `responses-relay init`: writes a commented starter config file. It never
 * replaces an existing file unless asked to with --force.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError } from '../config/cli-error.js';
import { resolveProviderProfile } from '../config/provider-option.js';
import { starterConfig } from '../config/starter-config.js';
import type { ConfigLocation } from './config-location.js';

export interface InitOptions {
  provider: string | undefined;
  force: boolean;
}

/** Writes the starter config to the config location; returns its path. */
export function runInit(options: InitOptions, location: ConfigLocation): string {
  const profile = resolveProviderProfile(options.provider ?? 'deepseek');
  if (existsSync(location.path) && !options.force) {
    throw new CliError(`${location.path} already exists; pass --force to replace it`);
  }
  try {
    mkdirSync(dirname(location.path), { recursive: true });
    writeFileSync(location.path, starterConfig(profile), { encoding: 'utf8', mode: 0o600 });
  } catch (error) {
    throw new CliError(`cannot write ${location.path}: ${(error as Error).message}`);
  }
  return location.path;
}
