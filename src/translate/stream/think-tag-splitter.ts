/**
 * Splits reasoning that a model writes into its content as `<think>…</think>`
 * (also `<thinking>` and Kimi's `◁think▷…◁/think▷`) out of the text. A tag is
 * only recognised at the very start of the content, so a model that talks
 * about `<think>` tags later in its answer is left alone. Tags cut across
 * chunks are handled by holding back the few characters that could still be
 * the start of one.
 */
import type { ContentSegment, ContentSplitter } from './content-splitter.js';

const TAG_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['<think>', '</think>'],
  ['<thinking>', '</thinking>'],
  ['◁think▷', '◁/think▷'],
];

type State = 'start' | 'reasoning' | 'after-reasoning' | 'text';

export class ThinkTagSplitter implements ContentSplitter {
  private state: State = 'start';
  private held = '';
  private closeTag = '';

  push(text: string): ContentSegment[] {
    if (this.state === 'text') return text === '' ? [] : [{ kind: 'text', text }];
    this.held += text;
    const segments: ContentSegment[] = [];
    this.advance(segments);
    return segments;
  }

  passesThrough(): boolean {
    return this.state === 'text';
  }

  flush(): ContentSegment[] {
    const rest = this.held;
    this.held = '';
    if (rest === '') return [];
    if (this.state === 'reasoning') return [{ kind: 'reasoning', text: rest }];
    if (this.state === 'after-reasoning') {
      const trimmed = rest.replace(/^\s+/, '');
      return trimmed === '' ? [] : [{ kind: 'text', text: trimmed }];
    }
    return [{ kind: 'text', text: rest }];
  }

  private advance(segments: ContentSegment[]): void {
    if (this.state === 'start') {
      const leading = this.held.replace(/^\s+/, '');
      if (leading === '') return;
      const pair = TAG_PAIRS.find(([open]) => leading.startsWith(open));
      if (pair) {
        this.state = 'reasoning';
        this.closeTag = pair[1];
        this.held = leading.slice(pair[0].length);
      } else if (TAG_PAIRS.some(([open]) => open.startsWith(leading))) {
        return; // could still become an opening tag
      } else {
        this.state = 'text';
        const text = this.held;
        this.held = '';
        segments.push({ kind: 'text', text });
        return;
      }
    }
    if (this.state === 'reasoning') {
      const end = this.held.indexOf(this.closeTag);
      if (end === -1) {
        const keep = partialSuffixLength(this.held, this.closeTag);
        const certain = this.held.slice(0, this.held.length - keep);
        this.held = this.held.slice(this.held.length - keep);
        if (certain !== '') segments.push({ kind: 'reasoning', text: certain });
        return;
      }
      const reasoning = this.held.slice(0, end);
      if (reasoning !== '') segments.push({ kind: 'reasoning', text: reasoning });
      this.held = this.held.slice(end + this.closeTag.length);
      this.state = 'after-reasoning';
    }
    if (this.state === 'after-reasoning') {
      // The answer usually starts after a blank line; drop that whitespace.
      const trimmed = this.held.replace(/^\s+/, '');
      if (trimmed === '') return;
      this.state = 'text';
      this.held = '';
      segments.push({ kind: 'text', text: trimmed });
    }
  }
}

/** How many trailing characters of `text` could be the beginning of `tag`. */
function partialSuffixLength(text: string, tag: string): number {
  const max = Math.min(text.length, tag.length - 1);
  for (let length = max; length > 0; length--) {
    if (tag.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}
