import { describe, expect, it } from 'vitest';
import { serveArgumentsOf } from '../../src/cli/background/background-cli.js';
import { commandFromFlag } from '../../src/cli/flag-commands.js';

describe('commands spelled as flags', () => {
  it('turns --print-config into the command wherever it stands, and leaves the rest alone', () => {
    expect(commandFromFlag(['--print-config', '--port', '4545'])).toEqual(['print-config', '--port', '4545']);
    expect(commandFromFlag(['--port', '4545', '--print-config'])).toEqual(['print-config', '--port', '4545']);
    expect(commandFromFlag(['serve', '--print-config'])).toEqual(['print-config']);
    expect(commandFromFlag(['--port', '4545'])).toEqual(['--port', '4545']);
    expect(commandFromFlag(['models', '--', '--print-config'])).toEqual(['models', '--', '--print-config']);
  });
});

describe('the serve arguments of a background command', () => {
  it('are the command line without the command and its own options', () => {
    expect(serveArgumentsOf(['--config', 'a.toml', 'start', '--port', '0'], ['start'])).toEqual([
      '--config',
      'a.toml',
      '--port',
      '0',
    ]);
    expect(
      serveArgumentsOf(
        ['service', 'install', '--manager', 'launchd', '--provider', 'deepseek'],
        ['service', 'install'],
        ['--manager'],
      ),
    ).toEqual(['--provider', 'deepseek']);
    expect(
      serveArgumentsOf(['service', 'install', '--manager=systemd'], ['service', 'install'], ['--manager']),
    ).toEqual([]);
  });
});
