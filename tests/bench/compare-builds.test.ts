/**
 * The build comparison's arguments and arithmetic: builds and their node
 * arguments read from the command line (mistakes refused), and each build's
 * runs summarised as ratios to the mock upstream's CPU. No timing here.
 */
import { describe, expect, it } from 'vitest';
import {
  type CompareRun,
  parseBuilds,
  renderCompareMarkdown,
  summarizeRuns,
} from '../../bench/relay/compare-builds.js';

describe('parseBuilds', () => {
  it('reads names, paths against the root, and node arguments by name', () => {
    expect(
      parseBuilds(
        'base=/tmp/old/dist/cli/main.js, g50=dist/cli/main.js',
        'g50=--heap-growing-percent=50 --jitless',
        '/repo',
      ),
    ).toEqual([
      { name: 'base', cli: '/tmp/old/dist/cli/main.js', nodeArgs: [] },
      { name: 'g50', cli: '/repo/dist/cli/main.js', nodeArgs: ['--heap-growing-percent=50', '--jitless'] },
    ]);
  });

  it('compares the current build alone when none is named', () => {
    expect(parseBuilds(undefined, undefined, '/repo')).toEqual([
      { name: 'current', cli: '/repo/dist/cli/main.js', nodeArgs: [] },
    ]);
  });

  it('refuses a build without a name, a name twice, and arguments for a build not listed', () => {
    expect(() => parseBuilds('dist/cli/main.js', undefined, '/repo')).toThrow(/name=path/);
    expect(() => parseBuilds('a=x.js,a=y.js', undefined, '/repo')).toThrow(/name of its own/);
    expect(() => parseBuilds('a=x.js', 'b=--jitless', '/repo')).toThrow(/names 'b'/);
    expect(() => parseBuilds('a=x.js', '--jitless', '/repo')).toThrow(/name=args/);
  });
});

describe('summarizeRuns', () => {
  const run = (build: string, relay: number, mock: number, relayMain: number, mockMain: number): CompareRun => ({
    build,
    round: 0,
    streamsPerSecond: 1000 / relay,
    relayCpuMsPerStream: relay,
    relayMainThreadMsPerStream: relayMain,
    mockCpuMsPerStream: mock,
    mockMainThreadMsPerStream: mockMain,
    relayPeakRssMb: 170,
  });

  it('reads each run against the mock upstream of the same run, per build', () => {
    const summary = summarizeRuns([
      run('base', 3.0, 0.6, 2.4, 0.5),
      run('new', 2.5, 0.5, 1.8, 0.45),
      run('base', 2.5, 0.5, 2.0, 0.5),
      run('new', 2.0, 0.5, 1.6, 0.5),
      run('base', 2.4, 0.5, 2.1, 0.5),
    ]);
    expect(summary.map((row) => [row.build, row.runs])).toEqual([
      ['base', 3],
      ['new', 2],
    ]);
    expect(summary[0]!.relayCpuToMock).toMatchObject({ min: 4.8, p50: 5, max: 5 });
    expect(summary[1]!.relayMainToMockMain).toMatchObject({ min: 3.2, max: 4 });
    const markdown = renderCompareMarkdown(summary, { rounds: 3, seconds: 6, warmupSeconds: 3, concurrency: 32 });
    expect(markdown).toContain('| base | 5.00 (4.80–5.00) |');
    expect(markdown).toContain('3 alternated run(s) per build');
  });
});
