/** `responses-relay models`: the routed models in a table, from the same config serve reads. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { type MockUpstream, startMockUpstream } from '../support/mock-upstream.js';

let upstream: MockUpstream | undefined;
afterEach(async () => {
  await upstream?.close();
  upstream = undefined;
});

describe('responses-relay models', () => {
  it('prints every routed model with its route, context window, reasoning levels and image support', async () => {
    upstream = await startMockUpstream(
      () => ({ kind: 'json', status: 500, body: {} }),
      [
        { id: 'qwen3-coder', max_model_len: 65536 },
        { id: 'llava', max_model_len: 4096 },
      ],
    );
    const directory = mkdtempSync(join(tmpdir(), 'relay-models-'));
    const path = join(directory, 'relay.toml');
    writeFileSync(
      path,
      `
[providers.box]
profile = "vllm"
base_url = "${upstream.baseUrl}"

[providers.deepseek]
base_url = "http://127.0.0.1:9/v1"

[aliases]
coder = { route = "box/qwen3-coder", fallbacks = ["deepseek/deepseek-v4-pro"] }
`,
    );
    const result = await runCli(['models', '--config', path]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+ROUTE\s+CONTEXT\s+MAX OUTPUT\s+REASONING\s+IMAGES$/);
    expect(lines[1]).toMatch(
      /^coder\s+box\/qwen3-coder, then deepseek\/deepseek-v4-pro\s+65,536\s+\?\s+none low medium high\s+yes$/,
    );
    expect(lines[2]).toMatch(/^qwen3-coder\s+box\/qwen3-coder\s+65,536/);
    expect(lines[3]).toMatch(/^llava\s+box\/llava\s+4,096/);
    // DeepSeek's list needs a key (none here): the profile's models, and a note saying so.
    expect(lines[4]).toMatch(
      /^deepseek\/deepseek-v4-pro\s+deepseek\/deepseek-v4-pro\s+1,048,576\s+393,216\s+none low high max \(default high\)\s+no$/,
    );
    expect(result.stderr).toContain(
      'note: deepseek: cannot read the model list (no API key in the environment (DEEPSEEK_API_KEY))',
    );

    const json = await runCli(['models', '--config', path, '--json']);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { data: Array<Record<string, unknown>> };
    expect(body.data[0]).toMatchObject({ id: 'coder', object: 'model', context_window: 65536 });
  });

  it('works for the single-upstream form without a config file', async () => {
    const result = await runCli(['models', '--provider', 'kimi']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\nkimi-k2\.6\s+kimi\/kimi-k2\.6\s+262,144\s+\?\s+none high \(default high\)\s+yes\n/,
    );
  });
});
