/**
 * The relative imports of the project's TypeScript files, read with a regular
 * expression over the source text: `import … from`, `export … from`, bare
 * `import '…'` and `import('…')`, type-only imports included (a type cycle is
 * still a cycle for a reader). Package imports are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** One import: the importing file and the file it names, both relative to the project root, with `/`. */
export interface ImportEdge {
  from: string;
  to: string;
}

const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
const COMMENT = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

/** Every `.ts` file under a folder, relative to the project root. */
export function sourceFiles(projectRoot: string, folder: string): string[] {
  const files: string[] = [];
  const visit = (directory: string): void => {
    for (const entry of readdirSync(join(projectRoot, directory), { withFileTypes: true })) {
      const path = `${directory}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(path);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  visit(folder);
  return files.sort();
}

/** The relative imports of the given files; `.js` specifiers are mapped to the `.ts` source. */
export function readImports(projectRoot: string, files: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const text = readFileSync(join(projectRoot, file), 'utf8').replace(COMMENT, '');
    for (const match of text.matchAll(IMPORT_SPECIFIER)) {
      const specifier = match[1]!.replace(/\.js$/, '.ts');
      const target = relative(projectRoot, resolve(projectRoot, dirname(file), specifier))
        .split(sep)
        .join('/');
      edges.push({ from: file, to: target });
    }
  }
  return edges;
}

/** The import cycles among the given edges, each as the files around it (shortest cycles are not searched for). */
export function findCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const state = new Map<string, 'open' | 'closed'>();
  const path: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const target of next.get(file) ?? []) {
      const seen = state.get(target);
      if (seen === 'open') cycles.push([...path.slice(path.indexOf(target)), target]);
      else if (seen === undefined) visit(target);
    }
    path.pop();
    state.set(file, 'closed');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}
