/**
 * The layer order of docs/architecture.md ("Layers"), enforced: a folder of
 * src/ imports only from itself and from folders of lower layers, no file
 * takes part in an import cycle, and the support code outside src/ points one
 * way too (bench/ and scripts/ never import tests/).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCycles, type ImportEdge, readImports, sourceFiles } from './import-graph.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Lowest first. Folders in one layer do not import each other; `(root)` is the files directly in src/. */
const SOURCE_LAYERS: readonly (readonly string[])[] = [
  ['(root)'],
  ['translate'],
  ['providers', 'tokens'],
  ['routing'],
  ['upstream', 'store'],
  ['usage', 'models'],
  ['codex'],
  ['config', 'observability', 'dashboard'],
  ['server'],
  ['cli'],
];

/** The project's top-level folders, lowest first: each may import the ones before it. */
const PROJECT_LAYERS: readonly (readonly string[])[] = [['src'], ['harness'], ['bench', 'scripts'], ['tests']];

const sourceEdges = readImports(PROJECT_ROOT, sourceFiles(PROJECT_ROOT, 'src'));
const projectEdges = readImports(
  PROJECT_ROOT,
  ['src', 'harness', 'bench', 'scripts', 'tests'].flatMap((folder) => sourceFiles(PROJECT_ROOT, folder)),
);

function sourceFolder(file: string): string {
  const parts = file.split('/');
  return parts.length === 2 ? '(root)' : parts[1]!;
}

/** The imports that go to another folder of the same or a higher layer (or to a folder no layer names). */
function wrongWay(
  edges: readonly ImportEdge[],
  layers: readonly (readonly string[])[],
  folderOf: (file: string) => string,
): string[] {
  const rank = new Map(layers.flatMap((folders, index) => folders.map((folder) => [folder, index] as const)));
  return edges
    .filter((edge) => {
      const from = folderOf(edge.from);
      const to = folderOf(edge.to);
      if (from === to) return false;
      const fromRank = rank.get(from);
      const toRank = rank.get(to);
      return fromRank === undefined || toRank === undefined || toRank >= fromRank;
    })
    .map((edge) => `${edge.from} -> ${edge.to}`);
}

describe('layers', () => {
  it('reads the import graph of src/ (the check below has something to check)', () => {
    expect(sourceEdges.length).toBeGreaterThan(300);
    expect(sourceEdges).toContainEqual({ from: 'src/providers/deepseek.ts', to: 'src/translate/provider-hooks.ts' });
  });

  it('names every folder of src/ in exactly one layer', () => {
    const folders = new Set(sourceEdges.flatMap((edge) => [sourceFolder(edge.from), sourceFolder(edge.to)]));
    const named = SOURCE_LAYERS.flat();
    expect(new Set(named).size).toBe(named.length);
    expect([...folders].filter((folder) => !named.includes(folder))).toEqual([]);
  });

  it('src/ imports only downwards', () => {
    expect(wrongWay(sourceEdges, SOURCE_LAYERS, sourceFolder)).toEqual([]);
  });

  it('translate imports nothing but translate and the root files', () => {
    const outside = sourceEdges.filter(
      (edge) => sourceFolder(edge.from) === 'translate' && !['translate', '(root)'].includes(sourceFolder(edge.to)),
    );
    expect(outside).toEqual([]);
  });

  it('no file of the project takes part in an import cycle', () => {
    expect(findCycles(projectEdges).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('src/ imports nothing outside it, and bench/ and scripts/ do not import tests/', () => {
    const folderOf = (file: string): string => file.split('/')[0]!;
    expect(wrongWay(projectEdges, PROJECT_LAYERS, folderOf)).toEqual([]);
  });

  it('finds a wrong-way import and a cycle when there is one', () => {
    const upward = [{ from: 'src/translate/usage.ts', to: 'src/providers/groq.ts' }];
    expect(wrongWay(upward, SOURCE_LAYERS, sourceFolder)).toEqual(['src/translate/usage.ts -> src/providers/groq.ts']);
    const loop = [
      { from: 'src/server/a.ts', to: 'src/server/b.ts' },
      { from: 'src/server/b.ts', to: 'src/server/a.ts' },
    ];
    expect(findCycles(loop)).toEqual([['src/server/a.ts', 'src/server/b.ts', 'src/server/a.ts']]);
  });
});
