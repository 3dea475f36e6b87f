/**
 * The build's second step (after tsc): replaces dist/tokens/o200k-base.js with
 * a self-contained bundle of the o200k_base encoder, so gpt-tokenizer is a
 * build-time dependency only. Its license travels with the bundled code.
 */
import { readFileSync } from 'node:fs';
import { defineConfig } from 'rolldown';

const tokenizerLicense = readFileSync(new URL('node_modules/gpt-tokenizer/LICENSE', import.meta.url), 'utf8').trim();

export default defineConfig({
  input: 'src/tokens/o200k-base.ts',
  platform: 'node',
  output: {
    file: 'dist/tokens/o200k-base.js',
    format: 'esm',
    minify: true,
    banner: `/*! Bundled from gpt-tokenizer (https://github.com/niieani/gpt-tokenizer).\n${tokenizerLicense}\n*/`,
  },
});
