#!/usr/bin/env node
/**
 * The `responses-relay` executable. `--version` is answered here from
 * package.json without loading anything else (installers and scripts call it
 * most); everything else is the command line in main.js, whose commands load
 * what they run only when they run.
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${manifest.version}\n`);
} else {
  await import('./main.js');
}
