/**
 * What the stream rules track per output item, and how an item shown in a
 * snapshot or a done event is compared with what was streamed for it.
 */

export type Json = Record<string, any>;

export interface PartState {
  type: string;
  text: string;
  streamed: boolean;
  textDone: boolean;
  done: boolean;
}

export interface ItemState {
  outputIndex: number;
  id: string;
  type: string;
  content: PartState[];
  summary: PartState[];
  /** Function-call arguments or custom tool input built from deltas. */
  input: string;
  inputStreamed: boolean;
  inputDone: boolean;
  done: Json | undefined;
}

/** The text of a content or summary part (a refusal's refusal). */
export function partText(part: Json | undefined): string {
  if (!part) return '';
  return String(part.type === 'refusal' ? (part.refusal ?? '') : (part.text ?? ''));
}

/** Shortens long text for violation messages. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** How an in-progress item in a snapshot disagrees with what was streamed so far. */
export function progressMismatch(item: ItemState, shown: Json): string | undefined {
  if (shown.status !== undefined && shown.status !== 'in_progress')
    return `has status ${shown.status} before its output_item.done`;
  if (item.type === 'function_call' && item.inputStreamed && shown.arguments !== item.input)
    return 'arguments differ from the deltas so far';
  if (item.type === 'custom_tool_call' && item.inputStreamed && shown.input !== item.input)
    return 'input differs from the deltas so far';
  for (const kind of ['content', 'summary'] as const) {
    const parts = item[kind];
    if (parts.length === 0) continue;
    const shownParts: Json[] = Array.isArray(shown[kind]) ? shown[kind] : [];
    if (shownParts.length !== parts.length)
      return `shows ${shownParts.length} ${kind} parts, ${parts.length} were added`;
    const index = parts.findIndex((part, position) => partText(shownParts[position]) !== part.text);
    if (index !== -1) return `${kind} part ${index} text differs from the deltas so far`;
  }
  return undefined;
}

/** How a done item disagrees with the parts and deltas streamed for it. */
export function doneMismatch(item: ItemState, done: Json): string | undefined {
  if (item.type === 'function_call' && item.inputStreamed && done.arguments !== item.input)
    return 'done arguments differ from the deltas';
  if (item.type === 'custom_tool_call' && item.inputStreamed && done.input !== item.input)
    return 'done input differs from the deltas';
  for (const kind of ['content', 'summary'] as const) {
    const parts = item[kind];
    if (parts.length === 0) continue;
    const doneParts: Json[] = Array.isArray(done[kind]) ? done[kind] : [];
    if (doneParts.length !== parts.length)
      return `done item has ${doneParts.length} ${kind} parts, ${parts.length} were added`;
    const index = parts.findIndex(
      (part, position) => partText(doneParts[position]) !== part.text || doneParts[position]?.type !== part.type,
    );
    if (index !== -1) return `done ${kind} part ${index} differs from the streamed part`;
  }
  return undefined;
}
