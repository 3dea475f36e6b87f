/**
 * Streams the value of one string field out of a JSON object that arrives in
 * fragments, e.g. `{"input":"*** Begin Patch\n…` → `*** Begin Patch⏎…`, so a
 * freeform tool's raw input can be shown while the model is still writing it.
 * Escapes cut across fragments are held until complete. If the arguments turn
 * out not to be a JSON object, the raw text is passed through instead.
 */

type State = 'seek' | 'value' | 'done' | 'raw';

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export class JsonStringFieldDecoder {
  private state: State = 'seek';
  private buffer = '';
  private readonly keyPattern: RegExp;

  constructor(field: string) {
    this.keyPattern = new RegExp(`"${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"`);
  }

  /** Feeds the next fragment; returns the newly decoded part of the field's value. */
  push(fragment: string): string {
    switch (this.state) {
      case 'done':
        return '';
      case 'raw':
        return fragment;
      case 'seek': {
        this.buffer += fragment;
        const leading = this.buffer.trimStart();
        if (leading !== '' && !leading.startsWith('{')) {
          this.state = 'raw';
          const text = this.buffer;
          this.buffer = '';
          return text;
        }
        const match = this.keyPattern.exec(this.buffer);
        if (!match) return '';
        const rest = this.buffer.slice(match.index + match[0].length);
        this.buffer = '';
        this.state = 'value';
        return this.decode(rest);
      }
      case 'value':
        return this.decode(fragment);
    }
  }

  private decode(fragment: string): string {
    const text = this.buffer + fragment;
    this.buffer = '';
    let out = '';
    let start = 0;
    let index = 0;
    while (index < text.length) {
      const char = text.charCodeAt(index);
      if (char === 0x22 /* " */) {
        out += text.slice(start, index);
        this.state = 'done';
        return out;
      }
      if (char !== 0x5c /* \ */) {
        index++;
        continue;
      }
      out += text.slice(start, index);
      const escaped = text[index + 1];
      if (escaped === undefined) {
        this.buffer = text.slice(index);
        return out;
      }
      if (escaped === 'u') {
        const hex = text.slice(index + 2, index + 6);
        if (hex.length < 4) {
          this.buffer = text.slice(index);
          return out;
        }
        const code = Number.parseInt(hex, 16);
        // A high surrogate needs its low half before it can be emitted.
        if (code >= 0xd800 && code <= 0xdbff) {
          const next = text.slice(index + 6, index + 12);
          if (next.length < 6) {
            this.buffer = text.slice(index);
            return out;
          }
          if (next.startsWith('\\u')) {
            out += String.fromCharCode(code, Number.parseInt(next.slice(2), 16));
            index += 12;
            start = index;
            continue;
          }
        }
        out += String.fromCharCode(code);
        index += 6;
        start = index;
        continue;
      }
      out += SIMPLE_ESCAPES[escaped] ?? escaped;
      index += 2;
      start = index;
    }
    out += text.slice(start);
    return out;
  }
}
