/**
 * Output a choice sends after its finish reason: ignored by the stream state
 * machine (the model said it was done), counted here and reported once when
 * the response ends. Pure.
 */
import type { ChatDelta } from '../chat-types.js';
import type { TranslationNote } from '../notes.js';
import { readDeltaReasoning } from './reasoning-reader.js';

export class LateOutput {
  private chunks = 0;
  private readonly kinds = new Set<string>();

  /** Counts a delta that carries output; empty repeats of the finish chunk (Kimi) are not output. */
  record(delta: ChatDelta): void {
    const kinds: string[] = [];
    if (
      (typeof delta.content === 'string' && delta.content !== '') ||
      (Array.isArray(delta.content) && delta.content.length > 0)
    )
      kinds.push('content');
    if (readDeltaReasoning(delta)) kinds.push('reasoning');
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) kinds.push('tool_calls');
    if (typeof delta.refusal === 'string' && delta.refusal !== '') kinds.push('refusal');
    if (kinds.length === 0) return;
    this.chunks++;
    for (const kind of kinds) this.kinds.add(kind);
  }

  /** The warning to log, if anything was ignored. */
  note(finishReason: string | undefined): TranslationNote | undefined {
    if (this.chunks === 0) return undefined;
    return {
      level: 'warn',
      message: `ignored ${this.chunks} upstream chunk(s) with ${[...this.kinds].join(', ')} sent after finish_reason '${finishReason}'`,
    };
  }
}
