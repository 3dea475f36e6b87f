/**
 * A conversation resent over HTTP with new items at the end is read from its
 * kept prefix (request-prefix-cache.ts): only the tail is parsed, only new
 * items are validated and translated. That must never change anything: every
 * request here goes through the kept path (one cache, turn after turn) and
 * through the whole path (parsed and translated from nothing), and the Chat
 * request bytes, the notes and the errors must be the same. Sequences: the
 * recorded Codex conversations (fixtures, and ../shared/codex-wire when
 * present), the benchmark's long histories, and generated conversations
 * written with escapes, non-ASCII text, \u escapes, whitespace and other key
 * orders. The edge cases are in request-prefix-edges.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyRequest } from '../../bench/relay/history-workload.js';
import { PROJECT_ROOT } from '../../harness/codex/versions.js';
import { deepseekProvider } from '../../src/providers/deepseek.js';
import { genericProvider } from '../../src/providers/generic.js';
import { everyCut, generatedBody, replay, replayReads, turnsOf, writer } from '../support/request-prefix-paths.js';
import { missingSharedMessage, sharedPath } from '../support/shared-material.js';

function fixtureBodies(): Array<{ name: string; body: Record<string, unknown> }> {
  const found: Array<{ name: string; body: Record<string, unknown> }> = [];
  const root = join(PROJECT_ROOT, 'fixtures', 'codex');
  for (const version of readdirSync(root)) {
    for (const scenario of readdirSync(join(root, version))) {
      const directory = join(root, version, scenario);
      for (const file of readdirSync(directory).filter((name) => /^request-\d+\.json$/.test(name)))
        found.push({
          name: `${version}/${scenario}/${file}`,
          body: JSON.parse(readFileSync(join(directory, file), 'utf8')).body,
        });
    }
  }
  return found;
}

describe('recorded Codex conversations', () => {
  const bodies = fixtureBodies();
  it('are there to replay', () => expect(bodies.length).toBeGreaterThan(20));

  it.each(bodies.map((entry) => [entry.name, entry.body] as const))(
    '%s, one item at a time: the kept path equals the whole path',
    (_name, body) => {
      for (const profile of [genericProvider, deepseekProvider]) {
        const reused = replay(turnsOf(body, everyCut((body.input as unknown[]).length)), profile);
        // The second turn is read whole (the first is kept as bytes only); every turn after it continues the one before.
        expect(reused.slice(0, 2).every((count) => count === 0)).toBe(true);
        expect(reused.slice(2).every((count, index) => count === index + 2)).toBe(true);
      }
    },
  );

  const wire = sharedPath('codex-wire');
  const missing = missingSharedMessage(wire);
  it.skipIf(missing !== undefined)(
    `../shared/codex-wire: each recorded turn continues the one before ${missing ?? ''}`,
    () => {
      let continued = 0;
      for (const version of readdirSync(wire)) {
        for (const scenario of readdirSync(join(wire, version))) {
          const directory = join(wire, version, scenario);
          if (!existsSync(join(directory, 'req1.json'))) continue;
          const files = readdirSync(directory)
            .filter((name) => /^req\d+\.json$/.test(name))
            .sort((a, b) => Number(a.slice(3, -5)) - Number(b.slice(3, -5)));
          // Codex's own request bodies (stored parsed, written again compactly in Codex's key order).
          const turns = files.map((name) =>
            JSON.stringify(JSON.parse(readFileSync(join(directory, name), 'utf8')).body),
          );
          const reads = replayReads(turns);
          continued += reads.filter((read) => read.reused > 0 || read.extended).length;
          // The second turn goes on from the first (read whole, kept), each one after continues the one before.
          expect(
            reads.slice(1).every((read, index) => (index === 0 ? read.extended : read.reused > 0)),
            `${version}/${scenario}`,
          ).toBe(true);
        }
      }
      expect(continued).toBeGreaterThan(5);
    },
  );
});

describe('long histories (the benchmark workload)', () => {
  it('turn after turn at 60 rounds, each adding a round, equals the whole path', () => {
    const body = historyRequest(60, { chunks: 20, mcpTools: 4 });
    const length = (body.input as unknown[]).length;
    // A round (four items) at a time, as Codex appends them.
    const cuts = everyCut(length).filter((end) => end % 4 === length % 4);
    const reused = replay(turnsOf(body, cuts));
    expect(reused.slice(0, 2)).toEqual([0, 0]);
    expect(reused.slice(2).every((count, index) => count === cuts[index + 1])).toBe(true);
  });
});

describe('generated conversations written other ways', () => {
  const styles = [
    { indent: false, escapeNonAscii: false, escapeSlash: false },
    { indent: true, escapeNonAscii: false, escapeSlash: false },
    { indent: false, escapeNonAscii: true, escapeSlash: true },
    { indent: true, escapeNonAscii: true, escapeSlash: false },
  ];
  const orders = ['codex', 'input-first', 'input-last'] as const;
  it.each(styles.flatMap((style, index) => orders.map((order) => [index, order, style] as const)))(
    'style %i, keys %s: the kept path equals the whole path, and continues',
    (index, order, style) => {
      const body = generatedBody(index * 7 + orders.indexOf(order), 12, order);
      const reused = replay(turnsOf(body, everyCut((body.input as unknown[]).length), writer(style)));
      expect(reused.slice(2).every((count, turn) => count === turn + 2)).toBe(true);
    },
  );
});
