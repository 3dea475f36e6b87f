/**
 * Runs the real Claude Code headless (`claude -p "…" --allowedTools Bash`)
 * against the relay: a temporary HOME, a dummy key, the relay as
 * ANTHROPIC_BASE_URL, and telemetry, error reports and update checks off, so
 * nothing but loopback is ever contacted.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DetachedRun, runDetached } from '../../../harness/detached-process.js';

export interface ClaudeCodeRun extends DetachedRun {
  /** The project directory Claude Code ran in (removed after the run). */
  projectDirectory: string;
}

export interface ClaudeCodeRunOptions {
  binary: string;
  relayUrl: string;
  prompt: string;
  /** The model Claude Code asks for (ANTHROPIC_MODEL, also its small/fast model). */
  model: string;
  timeoutMs: number;
}

/** Runs one headless prompt and returns what Claude Code printed. */
export async function runClaudeCode(options: ClaudeCodeRunOptions): Promise<ClaudeCodeRun> {
  const root = mkdtempSync(join(tmpdir(), 'relay-claude-code-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(home);
  mkdirSync(project);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    TMPDIR: root,
    ANTHROPIC_BASE_URL: options.relayUrl,
    ANTHROPIC_API_KEY: 'sk-ant-relay-test',
    ANTHROPIC_MODEL: options.model,
    ANTHROPIC_SMALL_FAST_MODEL: options.model,
    ANTHROPIC_DEFAULT_HAIKU_MODEL: options.model,
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CI: 'true',
  };
  try {
    const run = await runDetached(['-p', options.prompt, '--allowedTools', 'Bash'], {
      command: options.binary,
      cwd: project,
      env,
      timeoutMs: options.timeoutMs,
    });
    return { ...run, projectDirectory: project };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
