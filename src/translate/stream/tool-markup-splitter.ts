/**
 * Repairs tool calls that leak into streamed text as markup (DeepSeek DSML,
 * `<tool_call>` blocks) into real tool calls while the text streams. Text
 * around a block flows through at once; only a block, or the few characters
 * that could still open one, are held back. A block becomes calls only when
 * every call in it names a tool of this request; anything else is passed on
 * as the text it was, so prose about markup is never swallowed.
 */
import type { KnownToolNames } from '../provider-hooks.js';
import type { ContentSegment, ContentSplitter } from './content-splitter.js';
import { type MarkupToolCall, parseDsmlCalls, parseToolCallXml } from './tool-markup-parsers.js';

interface Opener {
  marker: string;
  close: string;
  parse: (block: string) => MarkupToolCall[] | undefined;
  /** Whether the text after the marker must be checked before holding it back. */
  needsCheck: boolean;
}

const OPENERS: readonly Opener[] = [
  ...['｜', '|'].flatMap((bar) => [
    {
      marker: `<${bar}DSML${bar}function_calls`,
      close: `</${bar}DSML${bar}function_calls>`,
      parse: parseDsmlCalls,
      needsCheck: false,
    },
    {
      marker: `<${bar}DSML${bar}tool_calls`,
      close: `</${bar}DSML${bar}tool_calls>`,
      parse: parseDsmlCalls,
      needsCheck: false,
    },
    // An invoke without its envelope.
    { marker: `<${bar}DSML${bar}invoke`, close: `</${bar}DSML${bar}invoke>`, parse: parseDsmlCalls, needsCheck: false },
  ]),
  { marker: '<tool_call>', close: '</tool_call>', parse: parseToolCallXml, needsCheck: true },
];

const OPENER_PATTERN = /<(?:[｜|]DSML[｜|](?:function_calls|tool_calls|invoke)|tool_call>)/;

interface OpenBlock {
  opener: Opener;
  /** Where to resume looking for the closing marker. */
  searchFrom: number;
  checked: boolean;
}

/** Splits streamed text into text and the tool calls leaked into it as markup. */
export class ToolMarkupSplitter implements ContentSplitter {
  private readonly tools: KnownToolNames;
  private buffer = '';
  private block: OpenBlock | undefined;
  /** Whitespace right after a repaired block is dropped, not shown as a message. */
  private afterBlock = false;

  constructor(tools: KnownToolNames) {
    this.tools = tools;
  }

  push(text: string): ContentSegment[] {
    this.buffer += text;
    return this.drain(false);
  }

  flush(): ContentSegment[] {
    return this.drain(true);
  }

  passesThrough(text: string): boolean {
    // Every opener starts with '<': text without one cannot begin a block.
    return this.buffer === '' && this.block === undefined && !this.afterBlock && !text.includes('<');
  }

  private drain(final: boolean): ContentSegment[] {
    const segments: ContentSegment[] = [];
    for (;;) {
      if (this.afterBlock) {
        this.buffer = this.buffer.replace(/^\s+/, '');
        if (this.buffer === '') return segments;
        this.afterBlock = false;
      }
      if (!this.block && !this.openBlock(segments, final)) return segments;
      const block = this.block!;
      const closeAt = this.buffer.indexOf(block.opener.close, block.searchFrom);
      if (closeAt === -1) {
        if (!block.checked && !this.plausible(block)) {
          // Not a call after all: the marker is text, and scanning resumes after it.
          pushText(segments, block.opener.marker);
          this.buffer = this.buffer.slice(block.opener.marker.length);
          this.block = undefined;
          continue;
        }
        if (!final) {
          block.searchFrom = Math.max(0, this.buffer.length - block.opener.close.length + 1);
          return segments;
        }
        this.finishBlock(this.buffer, segments);
        this.buffer = '';
        return segments;
      }
      const end = closeAt + block.opener.close.length;
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end);
      this.finishBlock(text, segments);
    }
  }

  /** Emits text up to the next opener and opens a block; false when none is in sight. */
  private openBlock(segments: ContentSegment[], final: boolean): boolean {
    const match = OPENER_PATTERN.exec(this.buffer);
    if (!match) {
      const keep = final ? 0 : partialOpenerLength(this.buffer);
      pushText(segments, this.buffer.slice(0, this.buffer.length - keep));
      this.buffer = this.buffer.slice(this.buffer.length - keep);
      return false;
    }
    const opener = OPENERS.find((candidate) => this.buffer.startsWith(candidate.marker, match.index))!;
    pushText(segments, this.buffer.slice(0, match.index));
    this.buffer = this.buffer.slice(match.index);
    this.block = { opener, searchFrom: opener.marker.length, checked: !opener.needsCheck };
    return true;
  }

  /**
   * `<tool_call>` is a common word in prose about agents: hold it back only
   * while what follows can still turn out to be one of the call shapes.
   */
  private plausible(block: OpenBlock): boolean {
    const shape = toolCallShape(this.buffer.slice(block.opener.marker.length).replace(/^\s+/, ''));
    if (shape === 'yes') block.checked = true;
    return shape !== 'no';
  }

  private finishBlock(text: string, segments: ContentSegment[]): void {
    const opener = this.block!.opener;
    this.block = undefined;
    const calls = opener.parse(text);
    if (calls?.every((call) => this.tools.has(call.name))) {
      for (const call of calls) segments.push({ kind: 'tool_call', name: call.name, arguments: call.arguments });
      this.afterBlock = true;
      return;
    }
    pushText(segments, text);
  }
}

/** Whether text after `<tool_call>` starts like a JSON, `<function=…>` or `name` + `<arg_key>` call. */
function toolCallShape(rest: string): 'yes' | 'no' | 'undecided' {
  if (rest === '') return 'undecided';
  if (rest.startsWith('{')) return 'yes';
  if (rest.startsWith('<')) {
    if (rest.startsWith('<function=')) return 'yes';
    return '<function='.startsWith(rest) ? 'undecided' : 'no';
  }
  const name = /^[A-Za-z_][\w.:-]*/.exec(rest);
  if (!name) return 'no';
  const after = rest.slice(name[0].length);
  if (after.startsWith('\n') || /^[ \t]*<arg_key>/.test(after)) return 'yes';
  return '<arg_key>'.startsWith(after.replace(/^[ \t]+/, '')) ? 'undecided' : 'no';
}

function pushText(segments: ContentSegment[], text: string): void {
  if (text === '') return;
  const last = segments[segments.length - 1];
  if (last?.kind === 'text') last.text += text;
  else segments.push({ kind: 'text', text });
}

/** Length of a tail that could still grow into an opener (markers hold a single `<`). */
function partialOpenerLength(text: string): number {
  const lastOpen = text.lastIndexOf('<');
  if (lastOpen === -1) return 0;
  const tail = text.slice(lastOpen);
  return OPENERS.some((opener) => opener.marker.startsWith(tail)) ? tail.length : 0;
}
