/**
 * Makes a capture reproducible: everything that depends on the machine, the
 * clock or chance is replaced by a stable placeholder, so capturing again
 * with the same Codex release writes the same files.
 *
 * - temporary paths → `<project>`, `<codex-home>`, `<home>`, `<tmp>`;
 * - UUIDs → `<uuid-N>`, numbered by first appearance in the scenario, so the
 *   same id stays the same placeholder across headers and requests;
 * - dates and times, Unix timestamps in `*_ms`/`*_at` fields, the time zone;
 * - exec output details (`Chunk ID`, `Wall time`), the OS in `user-agent`,
 *   the server port; `content-length` is dropped (it changes with the paths);
 * - the keys of `client_metadata` are sorted (Codex builds it from a hash map).
 * JSON carried inside strings (Codex's turn metadata) is normalised too.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface NormalizeContext {
  /** Absolute paths and the placeholder that replaces each. */
  paths: Array<{ path: string; placeholder: string }>;
}

export interface CaptureRecord {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const DATE = /\b\d{4}-\d{2}-\d{2}\b/g;
const TIMESTAMP_KEY = /(_ms|_at|_time|timestamp)$/i;
const DROPPED_HEADERS = new Set(['content-length']);
const UNORDERED_OBJECTS = new Set(['client_metadata']);

/** Normalises every request of one scenario with a shared UUID numbering. */
export class CaptureNormalizer {
  private readonly uuids = new Map<string, string>();
  private readonly paths: Array<{ path: string; placeholder: string }>;

  constructor(context: NormalizeContext) {
    // Longest first, so a path inside another is not replaced half-way.
    this.paths = [...context.paths].sort((a, b) => b.path.length - a.path.length);
  }

  /** One recorded request in its stable form. */
  request(method: string, path: string, headers: IncomingHttpHeaders, body: unknown): CaptureRecord {
    const normalizedHeaders: Record<string, string> = {};
    for (const name of Object.keys(headers).sort()) {
      if (DROPPED_HEADERS.has(name)) continue;
      const raw = headers[name];
      const value = Array.isArray(raw) ? raw.join(', ') : (raw ?? '');
      normalizedHeaders[name] = this.header(name, value);
    }
    return { method, path: this.text(path), headers: normalizedHeaders, body: this.value(body, undefined) };
  }

  private header(name: string, value: string): string {
    if (name === 'host') return value.replace(/:\d+$/, ':<port>');
    if (name === 'user-agent') return this.text(value.replace(/^(\S+) \([^)]*\) \S+/, '$1 (<os>) <terminal>'));
    return this.string(value, undefined);
  }

  private value(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') return this.string(value, key);
    if (typeof value === 'number')
      return key !== undefined && TIMESTAMP_KEY.test(key) && value > 1_000_000_000 ? 0 : value;
    if (Array.isArray(value)) return value.map((entry) => this.value(entry, undefined));
    if (value !== null && typeof value === 'object') {
      const result: Record<string, unknown> = {};
      let entries = Object.entries(value as Record<string, unknown>);
      // Codex fills these from a hash map: their key order changes from run to run.
      if (key !== undefined && UNORDERED_OBJECTS.has(key))
        entries = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [entryKey, entry] of entries) result[entryKey] = this.value(entry, entryKey);
      return result;
    }
    return value;
  }

  /** A string; compact JSON inside it (Codex's turn metadata) is normalised field by field. */
  private string(value: string, key: string | undefined): string {
    if (value.startsWith('{') && value.endsWith('}')) {
      try {
        const parsed: unknown = JSON.parse(value);
        // Only text that is exactly compact JSON, so nothing else changes shape.
        if (JSON.stringify(parsed) === value) return JSON.stringify(this.value(parsed, undefined));
      } catch {
        // Not JSON after all.
      }
    }
    if (key !== undefined && TIMESTAMP_KEY.test(key) && /^\d{10,}$/.test(value)) return '0';
    return this.text(value);
  }

  /** Plain text rules. */
  text(value: string): string {
    let text = value;
    for (const { path, placeholder } of this.paths) text = text.split(path).join(placeholder);
    text = text.replace(UUID, (uuid) => this.uuid(uuid));
    text = text.replace(ISO_TIMESTAMP, '<timestamp>').replace(DATE, '<date>');
    text = text.replace(/<timezone>[^<]*<\/timezone>/g, '<timezone><tz></timezone>');
    text = text.replace(/Chunk ID: [0-9a-f]+/g, 'Chunk ID: <chunk-id>');
    text = text.replace(/Wall time: \d+(?:\.\d+)? seconds/g, 'Wall time: <seconds> seconds');
    return text;
  }

  private uuid(uuid: string): string {
    const key = uuid.toLowerCase();
    let placeholder = this.uuids.get(key);
    if (placeholder === undefined) {
      placeholder = `<uuid-${this.uuids.size + 1}>`;
      this.uuids.set(key, placeholder);
    }
    return placeholder;
  }
}
