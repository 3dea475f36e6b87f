/** Editing Codex's config.toml surgically: statements, setup, undo. Pure. */
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import type { CodexSettingsToWrite } from '../../src/codex/codex-config.js';
import { applySetup, hasUneditableProvider, snapshotOwned, undoSetup } from '../../src/codex/codex-setup.js';
import { findTable, putTable, removeTable, setRootPairs } from '../../src/codex/config-edit.js';
import { scanStatements } from '../../src/codex/toml-statements.js';

const SETTINGS: CodexSettingsToWrite = {
  baseUrl: 'http://127.0.0.1:4444/v1',
  envKey: 'RESPONSES_RELAY_CLIENT_KEY',
  model: 'coder',
  catalogPath: '/home/me/.config/responses-relay/codex-models.json',
};

/** A config with comments, other providers, profiles, MCP servers and awkward values. */
const USER_CONFIG = `# My Codex settings
model = "gpt-5.5"   # the usual one
approval_policy = "on-request"
notify = [
  "notify-send",
  "[not a table]",
]
instructions = """
Line one
[also not a table]
"""

[model_providers.ollama-box]
name = "Ollama on the box"
base_url = "http://box:11434/v1"

# Profiles I switch between
[profiles.fast]
model = "o4-mini"

[mcp_servers.docs]
command = "docs-server"
args = ["--port", "9"]
env = { TOKEN = "x # not a comment" }
`;

describe('scanStatements', () => {
  it('follows multi-line arrays and strings, comments and quoted keys', () => {
    const statements = scanStatements(USER_CONFIG);
    const tables = statements
      .filter((statement) => statement.kind === 'table')
      .map((statement) => statement.kind === 'table' && statement.path.join('.'));
    expect(tables).toEqual(['model_providers.ollama-box', 'profiles.fast', 'mcp_servers.docs']);
    const pairs = statements
      .filter((statement) => statement.kind === 'pair')
      .map((statement) => statement.kind === 'pair' && statement.key.join('.'));
    expect(pairs).toEqual([
      'model',
      'approval_policy',
      'notify',
      'instructions',
      'name',
      'base_url',
      'model',
      'command',
      'args',
      'env',
    ]);
    // The spans cover the text exactly.
    expect(statements.map((statement) => USER_CONFIG.slice(statement.start, statement.end)).join('')).toBe(USER_CONFIG);
    expect(
      scanStatements('"quoted.key" = 1\n[ "a b" . c ]\n[[arr]]\n').map((statement) =>
        statement.kind === 'trivia'
          ? 'trivia'
          : statement.kind === 'pair'
            ? statement.key
            : [statement.path, statement.arrayOfTables],
      ),
    ).toEqual([['quoted.key'], [['a b', 'c'], false], [['arr'], true]]);
  });

  it('refuses text it cannot follow rather than guessing', () => {
    expect(() => scanStatements('a = "unterminated\n')).toThrow(/unterminated string/);
    expect(() => scanStatements('a = [1, 2\n')).toThrow(/unterminated array/);
  });
});

describe('text edits', () => {
  it('replaces a root key where it stands and adds missing ones after the last root key', () => {
    const edited = setRootPairs('# head\na = 1\nb = 2\n\n[t]\nc = 3\n', [
      { key: 'b', line: 'b = 20' },
      { key: 'new', line: 'new = "x"' },
    ]);
    expect(edited).toBe('# head\na = 1\nb = 20\nnew = "x"\n\n[t]\nc = 3\n');
    expect(setRootPairs('[t]\nc = 3\n', [{ key: 'k', line: 'k = 1' }])).toBe('k = 1\n\n[t]\nc = 3\n');
    expect(setRootPairs('', [{ key: 'k', line: 'k = 1' }])).toBe('k = 1\n');
  });

  it('treats a table with its sub-tables as one, leaving the comments before the next table alone', () => {
    const text = '[a]\nx = 1\n[a.sub]\ny = 2\n\n# about b\n[b]\nz = 3\n';
    expect(findTable(text, ['a'])!.text).toBe('[a]\nx = 1\n[a.sub]\ny = 2\n');
    expect(putTable(text, ['a'], '[a]\nx = 9\n')).toBe('[a]\nx = 9\n\n# about b\n[b]\nz = 3\n');
    expect(removeTable(text, ['a'])).toBe('# about b\n[b]\nz = 3\n');
    expect(removeTable('k = 1\n\n[a]\nx = 1\n', ['a'])).toBe('k = 1\n');
  });

  it('keeps Windows line breaks', () => {
    const edited = putTable(setRootPairs('a = 1\r\n', [{ key: 'b', line: 'b = 2' }]), ['t'], '[t]\nx = 1\n');
    expect(edited).toBe('a = 1\r\nb = 2\r\n\r\n[t]\r\nx = 1\r\n');
  });
});

describe('applySetup and undoSetup', () => {
  it("writes only the relay's keys and table, keeping every comment and other table", () => {
    const edited = applySetup(USER_CONFIG, SETTINGS);
    const parsed = parse(edited) as Record<string, any>;
    expect(parsed.model).toBe('coder');
    expect(parsed.model_provider).toBe('responses-relay');
    expect(parsed.model_catalog_json).toBe(SETTINGS.catalogPath);
    expect(parsed.model_providers['responses-relay']).toMatchObject({
      base_url: 'http://127.0.0.1:4444/v1',
      wire_api: 'responses',
      env_key: 'RESPONSES_RELAY_CLIENT_KEY',
    });
    expect(parsed.model_providers['ollama-box'].name).toBe('Ollama on the box');
    for (const kept of [
      '# My Codex settings',
      '# Profiles I switch between',
      '[profiles.fast]',
      'model = "o4-mini"',
      '"[not a table]",',
      'env = { TOKEN = "x # not a comment" }',
    ]) {
      expect(edited).toContain(kept);
    }
    // Every line of the original is still there except the model line it replaced.
    const removed = USER_CONFIG.split('\n').filter((line) => !edited.split('\n').includes(line));
    expect(removed).toEqual(['model = "gpt-5.5"   # the usual one']);
  });

  it('is idempotent', () => {
    const once = applySetup(USER_CONFIG, SETTINGS);
    expect(applySetup(once, SETTINGS)).toBe(once);
    const moved = applySetup(once, { ...SETTINGS, baseUrl: 'http://127.0.0.1:5555/v1' });
    expect(moved).toBe(once.replace('4444', '5555'));
  });

  it('undoes its changes in a file edited since, putting back what it replaced', () => {
    const before = snapshotOwned(USER_CONFIG);
    expect(before.root.model).toBe('model = "gpt-5.5"   # the usual one\n');
    expect(before.root.model_provider).toBeNull();
    expect(before.table).toBeNull();
    const edited = `${applySetup(USER_CONFIG, SETTINGS)}\n[mcp_servers.added_later]\ncommand = "tool"\n`;
    expect(undoSetup(edited, before)).toBe(`${USER_CONFIG}\n[mcp_servers.added_later]\ncommand = "tool"\n`);
  });

  it('restores a provider table of the same name that was there before', () => {
    const withOwnTable = 'model = "m"\n\n[model_providers.responses-relay]\nname = "old"\nbase_url = "http://old/v1"\n';
    const before = snapshotOwned(withOwnTable);
    const edited = applySetup(withOwnTable, SETTINGS);
    expect(edited).not.toContain('http://old/v1');
    expect(undoSetup(edited, before)).toBe(withOwnTable);
  });

  it('will not edit a provider defined with inline or dotted keys', () => {
    expect(
      hasUneditableProvider('[model_providers]\nresponses-relay = { name = "x", base_url = "http://x/v1" }\n'),
    ).toBe(true);
    expect(hasUneditableProvider('[model_providers.responses-relay]\nname = "x"\n')).toBe(false);
    expect(hasUneditableProvider(USER_CONFIG)).toBe(false);
  });

  it('refuses a config that is not valid TOML', () => {
    expect(() => applySetup('model = \n', SETTINGS)).toThrow();
  });
});
