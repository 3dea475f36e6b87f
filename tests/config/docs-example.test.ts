/** The full example in docs/configuration.md stays a valid config. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRouter } from '../../src/config/build-router.js';
import { parseConfigText } from '../../src/config/config-file.js';

describe('docs/configuration.md', () => {
  it('shows a full example the relay accepts', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## The format'));
    const example = /```toml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example, 'a ```toml block under "## The format"').toBeDefined();
    const file = parseConfigText(example!, 'docs/configuration.md');
    expect(file.providers.map((provider) => provider.name)).toEqual(['deepseek', 'openrouter', 'box', 'work']);
    const router = buildRouter({}, file, {}, { requireKeys: false });
    expect(router.resolve('coder').fallbacks.map((route) => route.provider.name)).toEqual(['openrouter', 'box']);
    expect(router.providers.get('work')!.network?.proxy?.source).toBe('providers.work.proxy');
  });
});
