/**
 * The build bundles gpt-tokenizer's o200k_base encoder into
 * dist/tokens/o200k-base.js (rolldown.config.ts) so the installed relay does
 * not depend on gpt-tokenizer. The bundle must stand alone and count exactly
 * as the package does. dist/ is built by `npm test` before the suite runs.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { countTokens as packageCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';

const BUNDLE = join(PROJECT_ROOT, 'dist', 'tokens', 'o200k-base.js');
const run = promisify(execFile);
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Counts each sample with the bundle in a plain Node process, from a copy outside the project (no node_modules above it). */
async function countWithBundleAlone(samples: string[]): Promise<number[]> {
  const directory = mkdtempSync(join(tmpdir(), 'relay-tokenizer-'));
  try {
    copyFileSync(BUNDLE, join(directory, 'o200k-base.mjs'));
    writeFileSync(join(directory, 'samples.json'), JSON.stringify(samples));
    const script = `import { countTokens } from './o200k-base.mjs';
      import { readFileSync } from 'node:fs';
      const plainText = { disallowedSpecial: new Set() };
      process.stdout.write(JSON.stringify(JSON.parse(readFileSync('samples.json', 'utf8')).map((text) => countTokens(text, plainText))));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', script], { cwd: directory });
    return JSON.parse(stdout) as number[];
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('the bundled o200k_base encoder', () => {
  it('runs on its own and counts exactly as gpt-tokenizer does, special-token markers as plain text', async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` first (npm test does)`);
    const samples = [
      '',
      'Hello, world!',
      'Strip <|endoftext|> and <|im_start|> from the log.',
      'Ünïcödé, 日本語のテキスト, emoji 👩🏽‍💻🚀, and a tab\there.',
      '    indented code();\n\n\n  {"json": [1, 2.5e-3, null]}',
      readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'),
      readFileSync(join(PROJECT_ROOT, 'src', 'tokens', 'estimate-tokens.ts'), 'utf8'),
    ];
    const counted = await countWithBundleAlone(samples);
    expect(counted[1]).toBe(4);
    expect(counted).toEqual(samples.map((text) => packageCount(text, PLAIN_TEXT)));
  });
});
