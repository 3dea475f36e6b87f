/**
 * Streamed content can hide other things: reasoning in `<think>` tags, tool
 * calls leaked as markup. A splitter sees content as it streams and returns
 * what it is made of; it may hold back text that could still turn out to be
 * the start of a tag.
 */

export type ContentSegment =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; name: string; arguments: string };

export interface ContentSplitter {
  /** Feeds the next piece of text; returns what is certain so far. */
  push(text: string): ContentSegment[];
  /** The stream ended; returns whatever was held back. */
  flush(): ContentSegment[];
  /**
   * True when pushing `text` would return it unchanged as one text segment
   * (nothing held back, nothing in it that could start a tag). Lets the hot
   * path skip the segment arrays for ordinary text.
   */
  passesThrough(text: string): boolean;
}

/** Whether every splitter would hand `text` on untouched. */
export function splittersPassThrough(splitters: readonly ContentSplitter[], text: string): boolean {
  for (const splitter of splitters) if (!splitter.passesThrough(text)) return false;
  return true;
}

/** Runs text through a chain of splitters; later splitters see only text segments. */
export function runSplitters(splitters: readonly ContentSplitter[], text: string, flush: boolean): ContentSegment[] {
  let segments: ContentSegment[] = flush ? [] : [{ kind: 'text', text }];
  for (const splitter of splitters) {
    const next: ContentSegment[] = [];
    for (const segment of segments) {
      if (segment.kind === 'text') next.push(...splitter.push(segment.text));
      else next.push(segment);
    }
    if (flush) next.push(...splitter.flush());
    segments = next;
  }
  return segments;
}
