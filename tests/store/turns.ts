/** Stored turns for store tests, shaped as the relay writes them. */
import type { StoredTurn } from '../../src/store/types.js';
import type { InputItem } from '../../src/translate/request/responses-schema.js';

export interface TurnOptions {
  /** Extra characters in the reply, to control a turn's size. */
  padding?: number;
  /** A tool call with reasoning next to it. */
  call?: { callId: string; name: string; arguments: string; reasoning?: string };
  createdAt?: number;
}

/** A turn whose input is one user message and whose output is a reply (or a tool call). */
export function makeTurn(
  id: string,
  previousResponseId: string | null,
  text: string,
  options: TurnOptions = {},
): StoredTurn {
  const input: InputItem[] = [
    { type: 'message', id: `msg_in_${id}`, role: 'user', status: 'completed', content: [{ type: 'input_text', text }] },
  ];
  const output: InputItem[] = [];
  if (options.call) {
    if (options.call.reasoning !== undefined) {
      output.push({
        type: 'reasoning',
        id: `rs_${id}`,
        summary: [{ type: 'summary_text', text: options.call.reasoning }],
        content: [{ type: 'reasoning_text', text: options.call.reasoning }],
        encrypted_content: null,
        status: 'completed',
      });
    }
    output.push({
      type: 'function_call',
      id: `fc_${id}`,
      call_id: options.call.callId,
      name: options.call.name,
      arguments: options.call.arguments,
      status: 'completed',
    });
  } else {
    output.push({
      type: 'message',
      id: `msg_out_${id}`,
      status: 'completed',
      role: 'assistant',
      content: [
        {
          type: 'output_text',
          text: `reply to ${text}${'.'.repeat(options.padding ?? 0)}`,
          annotations: [],
          logprobs: [],
        },
      ],
    });
  }
  return {
    id,
    previousResponseId,
    input,
    output,
    response: {
      id,
      object: 'response',
      status: 'completed',
      output: [],
      previous_response_id: previousResponseId,
      store: true,
    },
    createdAt: options.createdAt ?? 1_800_000_000_000,
  };
}

/** The text of every input and output item of a chain, in order. */
export function chainTexts(turns: ReadonlyArray<Pick<StoredTurn, 'input' | 'output'>>): string[] {
  const texts: string[] = [];
  for (const turn of turns) {
    for (const item of [...turn.input, ...turn.output]) {
      const content = item.content as Array<{ text?: string }> | undefined;
      if (item.type === 'message' && Array.isArray(content))
        texts.push(content.map((part) => part.text ?? '').join(''));
      else texts.push(item.type);
    }
  }
  return texts;
}
