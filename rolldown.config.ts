/**
 * The build. The relay and its pure-JavaScript dependencies are bundled and
 * minified into dist/cli: a relay loads a few files per command instead of
 * hundreds of modules, and keeps less module source text in its heap (cold
 * start and RSS in docs/benchmarks.md, "The bundled build"). better-sqlite3
 * stays a dependency (its native module is built for the user's Node). The
 * licenses of the bundled packages travel in dist/THIRD-PARTY-LICENSES.md.
 *
 * The o200k_base encoder of gpt-tokenizer is a bundle of its own,
 * dist/tokens/o200k-base.js, loaded only by token counting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'rolldown';

const ROOT = dirname(fileURLToPath(import.meta.url));
const TOKENIZER_SOURCE = join(ROOT, 'src', 'tokens', 'o200k-base.ts');
/** The tokenizer's import in the bundle: the bundle below, at its built path (output.paths). */
const TOKENIZER_ID = 'responses-relay:o200k-base';
/** Native or installed separately: everything under these stays an import. */
const EXTERNAL_PACKAGES = ['better-sqlite3'];

const tokenizerLicense = readFileSync(join(ROOT, 'node_modules', 'gpt-tokenizer', 'LICENSE'), 'utf8').trim();

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  text: string;
}

/** The package directory a module id lies in (the innermost node_modules entry), if any. */
function packageDirectoryOf(id: string): string | undefined {
  const marker = `${sep}node_modules${sep}`;
  const at = id.lastIndexOf(marker);
  if (at < 0) return undefined;
  const rest = id.slice(at + marker.length).split(sep);
  const depth = rest[0]?.startsWith('@') ? 2 : 1;
  return id.slice(0, at + marker.length) + rest.slice(0, depth).join(sep);
}

function licenseTextOf(directory: string): string {
  const file = readdirSync(directory).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  return file ? readFileSync(join(directory, file), 'utf8').trim() : '';
}

/** Leaves the tokenizer out of the relay's bundle: it is a bundle of its own, loaded only to count tokens. */
function tokenizerImport(): Plugin {
  return {
    name: 'tokenizer-import',
    resolveId(source, importer) {
      if (importer === undefined || join(dirname(importer), source.replace(/\.js$/, '.ts')) !== TOKENIZER_SOURCE)
        return null;
      return { id: TOKENIZER_ID, external: true };
    },
  };
}

/** Writes the name, version and license text of every package whose code is in the bundle. */
function bundledLicenses(): Plugin {
  return {
    name: 'bundled-licenses',
    generateBundle(_options, bundle) {
      const packages = new Map<string, BundledPackage>();
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const id of output.moduleIds) {
          const directory = packageDirectoryOf(id);
          if (directory === undefined || packages.has(directory)) continue;
          const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
            name: string;
            version: string;
            license?: string;
          };
          const text = licenseTextOf(directory);
          if (text === '' && manifest.license === undefined)
            this.error(`${manifest.name} is bundled but states no license`);
          packages.set(directory, {
            name: manifest.name,
            version: manifest.version,
            license: manifest.license ?? 'see text',
            text,
          });
        }
      }
      const sorted = [...new Map([...packages.values()].map((entry) => [entry.name, entry])).values()].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const sections = sorted.map(
        (entry) =>
          `## ${entry.name} ${entry.version} (${entry.license})\n\n\`\`\`text\n${entry.text || `License: ${entry.license}`}\n\`\`\`\n`,
      );
      this.emitFile({
        type: 'asset',
        fileName: 'THIRD-PARTY-LICENSES.md',
        source: `# Third-party code bundled in dist/cli\n\n${sections.join('\n')}`,
      });
    },
  };
}

export default defineConfig([
  {
    input: { 'cli/bin': 'src/cli/bin.ts', 'cli/main': 'src/cli/main.ts' },
    platform: 'node',
    external: (id) => EXTERNAL_PACKAGES.some((name) => id === name || id.startsWith(`${name}/`)),
    plugins: [tokenizerImport(), bundledLicenses()],
    output: {
      dir: 'dist',
      cleanDir: true,
      format: 'esm',
      // Chunks sit beside bin.js and main.js, so paths made from import.meta.url hold in every file.
      entryFileNames: '[name].js',
      chunkFileNames: 'cli/[name]-[hash].js',
      paths: { [TOKENIZER_ID]: '../tokens/o200k-base.js' },
      minify: true,
      // Error class names appear in logs and error bodies.
      keepNames: true,
      sourcemap: true,
    },
  },
  {
    input: 'src/tokens/o200k-base.ts',
    platform: 'node',
    output: {
      file: 'dist/tokens/o200k-base.js',
      format: 'esm',
      minify: true,
      banner: `/*! Bundled from gpt-tokenizer (https://github.com/niieani/gpt-tokenizer).\n${tokenizerLicense}\n*/`,
    },
  },
]);
