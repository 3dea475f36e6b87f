/**
 * Compaction items in a conversation. One the relay wrote stands for the
 * history it summarised: that history (everything before it but the user,
 * developer and system messages, which Codex keeps too) is replaced by a user
 * message holding the summary. One the relay cannot read or authenticate
 * (written by OpenAI, or altered) is dropped with a note.
 */
import type { TranslationNote } from '../notes.js';
import type { InputItem } from '../request/responses-schema.js';
import { decodeCompactionEnvelope } from './compaction-envelope.js';

/** Introduces the summary to the upstream model. */
export const SUMMARY_PREFIX = 'Summary of the earlier conversation (it replaces the messages it summarises):\n\n';

/** The conversation with its compaction items expanded; the same array when it has none. */
export function expandCompactions(
  items: readonly InputItem[],
  key: Buffer,
  notes: TranslationNote[],
): readonly InputItem[] {
  if (!items.some((item) => item.type === 'compaction')) return items;
  let expanded: InputItem[] = [];
  for (const item of items) {
    if (item.type !== 'compaction') {
      expanded.push(item);
      continue;
    }
    const summary = decodeCompactionEnvelope(item.encrypted_content, key);
    if (summary === undefined) {
      notes.push({
        level: 'warn',
        message:
          'dropped a compaction item the relay did not write (or that was altered); the conversation goes on without it',
      });
      continue;
    }
    expanded = expanded.filter(isKeptMessage);
    expanded.push({ type: 'message', role: 'user', content: SUMMARY_PREFIX + summary });
  }
  return expanded;
}

function isKeptMessage(item: InputItem): boolean {
  return item.type === 'message' && (item.role === 'user' || item.role === 'developer' || item.role === 'system');
}
