import { utf8Bytes } from '../translate/utf8-bytes.js';

/**
 * A piece of SSE text built from encoded events, kept as runs that are known
 * to be ASCII or not, so that its UTF-8 bytes cost little to make. Model text
 * carries a non-ASCII character now and then (’, —, →); once one is in a
 * string built with `+=`, the whole string flattens to two bytes per character
 * and `Buffer.from` encodes every character of it as UTF-8, about four times
 * the cost of copying ASCII text byte for byte (measured in docs/benchmarks.md,
 * step 19). Here the ASCII runs are copied as Latin-1, which for ASCII is the
 * same bytes, and only the other runs are encoded.
 */
export class SseText {
  /** The runs so far, oldest first, each with whether it is ASCII. */
  private readonly runs: string[] = [];
  private readonly asciiRuns: boolean[] = [];
  private run = '';
  private runAscii = true;
  /** Length in UTF-16 code units, as `string.length`. */
  length = 0;

  /** Adds `text`; `ascii` only when every character of it is known to be below U+0080. */
  append(text: string, ascii: boolean): void {
    if (text === '') return;
    if (ascii !== this.runAscii && this.run !== '') {
      this.runs.push(this.run);
      this.asciiRuns.push(this.runAscii);
      this.run = '';
    }
    this.runAscii = ascii;
    this.run += text;
    this.length += text.length;
  }

  toString(): string {
    let text = '';
    for (const run of this.runs) text += run;
    return text + this.run;
  }

  /** The UTF-8 bytes of the text. */
  toBytes(): Buffer {
    if (this.runs.length === 0) return this.runAscii ? Buffer.from(this.run, 'latin1') : utf8Bytes(this.run);
    // Room for the most the runs can take, so no run is read twice (once to be measured, once to be written).
    let most = mostBytes(this.run, this.runAscii);
    for (let index = 0; index < this.runs.length; index++) most += mostBytes(this.runs[index]!, this.asciiRuns[index]!);
    const bytes = Buffer.allocUnsafe(most);
    let offset = 0;
    for (let index = 0; index < this.runs.length; index++)
      offset += bytes.write(this.runs[index]!, offset, this.asciiRuns[index] ? 'latin1' : 'utf8');
    offset += bytes.write(this.run, offset, this.runAscii ? 'latin1' : 'utf8');
    return bytes.subarray(0, offset);
  }
}

/** UTF-8 takes at most three bytes per UTF-16 code unit, ASCII one. */
function mostBytes(text: string, ascii: boolean): number {
  return ascii ? text.length : text.length * 3;
}

/** Whether every character of `text` is below U+0080 (its UTF-8 bytes are then its Latin-1 bytes). */
export function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
}
