/**
 * The benchmark harness must be trustworthy: its statistics, its stream
 * markers, its content checks and the document it writes. No timing here.
 */
import { describe, expect, it } from 'vitest';
import { MarkerScanner } from '../../bench/relay/client.js';
import { parseSse, validateStream } from '../../bench/relay/validate.js';
import { expectedOutput, upstreamPayloads } from '../../bench/relay/workload.js';
import { placeSection } from '../../bench/support/document.js';
import { pairedDifferences, percentile, summarize } from '../../bench/support/stats.js';
import { renderBarChart } from '../../bench/support/svg.js';

describe('statistics', () => {
  it('interpolates percentiles between ranks', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile(sorted, 50)).toBe(5.5);
    expect(percentile(sorted, 90)).toBeCloseTo(9.1);
    expect(percentile(sorted, 100)).toBe(10);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes unsorted samples', () => {
    const summary = summarize([5, 1, 3]);
    expect(summary).toMatchObject({ count: 3, min: 1, p50: 3, max: 5, mean: 3 });
  });

  it('pairs samples by position and refuses series of different lengths', () => {
    expect(pairedDifferences([3, 5, 9], [1, 1, 4])).toEqual([2, 4, 5]);
    expect(() => pairedDifferences([1], [1, 2])).toThrow(/differ in length/);
  });
});

describe('MarkerScanner', () => {
  it('finds a marker inside one read', () => {
    const scanner = new MarkerScanner(Buffer.from('.delta\n'));
    expect(scanner.push(Buffer.from('event: response.created\n'))).toBe(false);
    expect(scanner.push(Buffer.from('event: response.output_text.delta\ndata: {}'))).toBe(true);
  });

  it('finds a marker cut across reads, including reads shorter than the marker', () => {
    const scanner = new MarkerScanner(Buffer.from('data: [DONE]'));
    for (const piece of ['xx da', 't', 'a: [D', 'ON', 'E']) expect(scanner.push(Buffer.from(piece))).toBe(false);
    expect(scanner.push(Buffer.from(']\n\n'))).toBe(true);
  });

  it('does not find a marker that never came', () => {
    const scanner = new MarkerScanner(Buffer.from('data: [DONE]'));
    expect(scanner.push(Buffer.from('data: [DON'))).toBe(false);
    expect(scanner.push(Buffer.from('E\n\n'))).toBe(false);
  });
});

describe('stream validation', () => {
  const chatStream = (payloads: string[]) => payloads.map((payload) => `data: ${payload}\n\n`).join('');

  it('accepts the mock upstream stream of every variant as the direct path sees it', () => {
    for (const variant of ['text', 'tool', 'reasoning', 'text-trickle'] as const) {
      expect(() => validateStream('direct', variant, 30, chatStream(upstreamPayloads(variant, 30)))).not.toThrow();
    }
  });

  it('rejects a stream with a chunk missing or without [DONE]', () => {
    const payloads = upstreamPayloads('text', 30);
    expect(() =>
      validateStream('pipe', 'text', 30, chatStream([...payloads.slice(0, 5), ...payloads.slice(6)])),
    ).toThrow(/text differs/);
    expect(() => validateStream('pipe', 'text', 30, chatStream(payloads.slice(0, -1)))).toThrow(/\[DONE\]/);
  });

  it('rejects a Responses stream whose sequence numbers skip', () => {
    const event = (type: string, sequence: number, extra: object = {}) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...extra })}\n\n`;
    const text =
      event('response.created', 0) +
      event('response.completed', 2, { response: { output: [], usage: { output_tokens: 1 } } });
    expect(() => validateStream('relay', 'text', 1, text)).toThrow(/sequence_number 2 out of order/);
  });

  it('expects each variant to carry its own kind of output', () => {
    expect(expectedOutput('text', 3).text).not.toBe('');
    expect(expectedOutput('tool', 3)).toMatchObject({ text: '', reasoning: '' });
    expect(JSON.parse(expectedOutput('tool', 40).arguments)).toMatchObject({ workdir: '/work/project' });
    expect(expectedOutput('reasoning', 4).reasoning).not.toBe('');
  });

  it('splits SSE text into events', () => {
    expect(parseSse('event: a\ndata: 1\n\ndata: 2\n\n')).toEqual([
      { event: 'a', data: '1' },
      { event: undefined, data: '2' },
    ]);
  });
});

describe('the results document', () => {
  it('replaces a module section between its markers and leaves the rest', () => {
    const document = '# Benchmarks\n\nintro\n\n<!-- bench:relay -->\nold\n<!-- /bench:relay -->\n\nnotes\n';
    expect(placeSection(document, 'relay', 'new')).toBe(
      '# Benchmarks\n\nintro\n\n<!-- bench:relay -->\nnew\n<!-- /bench:relay -->\n\nnotes\n',
    );
  });

  it('appends a section for a module the document does not have yet', () => {
    expect(placeSection('# Benchmarks\n', 'store', 'figures')).toBe(
      '# Benchmarks\n\n## store\n\n<!-- bench:store -->\nfigures\n<!-- /bench:store -->\n',
    );
  });

  it('draws one bar per value, scaled to the largest, with escaped labels', () => {
    const svg = renderBarChart('Title <1>', [
      {
        title: 'Panel',
        unit: 'ms',
        bars: [
          { label: 'a & b', value: 2, color: '#000' },
          { label: 'c', value: 1, color: '#111' },
          { label: 'd', value: -1, color: '#222' },
        ],
      },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Title &lt;1&gt;');
    expect(svg).toContain('a &amp; b');
    const widths = [...svg.matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((match) => Number(match[1]));
    expect(widths).toHaveLength(3);
    expect(widths[0]).toBeCloseTo(widths[1]! * 2, 0);
    expect(widths[2]).toBe(0);
  });
});
