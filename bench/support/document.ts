/** Places generated sections into docs/benchmarks.md between per-module markers. */

/** Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, or appends a section with those markers. */
export function placeSection(document: string, name: string, markdown: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from !== -1 && to > from) return document.slice(0, from) + block + document.slice(to + end.length);
  return `${document.trimEnd()}\n\n## ${name}\n\n${block}\n`;
}
