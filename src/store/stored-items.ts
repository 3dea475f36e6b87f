/**
 * How items are written to the store: the shapes `GET /v1/responses/{id}/input_items`
 * returns (every item has an `id`, a `status` where the API defines one, and
 * message content as a list of parts). Pure; ids come from the caller.
 * Translating a stored item gives the same Chat message as the original.
 * Items read back are checked by the same schemas as a request's.
 */
import { readInputItem } from '../translate/request/parse-request.js';
import type { InputItem } from '../translate/request/responses-schema.js';

/** Id prefixes by item type, as the OpenAI API uses them. */
const ID_PREFIXES: Record<string, string> = {
  message: 'msg',
  reasoning: 'rs',
  function_call: 'fc',
  function_call_output: 'fco',
  custom_tool_call: 'ctc',
  custom_tool_call_output: 'ctco',
  tool_search_call: 'tsc',
  tool_search_output: 'tso',
  additional_tools: 'at',
  local_shell_call: 'lsh',
  web_search_call: 'ws',
  image_generation_call: 'ig',
};

/** Item types whose API resource carries a `status`. */
const TYPES_WITH_STATUS = new Set([
  'message',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'tool_search_call',
  'tool_search_output',
  'local_shell_call',
  'web_search_call',
  'image_generation_call',
]);

/** A request's input items as they are stored: ids assigned, statuses and content lists filled in. */
export function toStoredInputItems(items: readonly InputItem[], createId: (prefix: string) => string): InputItem[] {
  return items.map((item) => {
    const stored: InputItem = { ...item };
    if (typeof stored.id !== 'string' || stored.id === '') stored.id = createId(ID_PREFIXES[item.type] ?? 'item');
    if (TYPES_WITH_STATUS.has(item.type) && typeof stored.status !== 'string') stored.status = 'completed';
    if (item.type === 'message' && typeof item.content === 'string') {
      stored.content = [
        item.role === 'assistant'
          ? { type: 'output_text', text: item.content, annotations: [] }
          : { type: 'input_text', text: item.content },
      ];
    }
    return stored;
  });
}

/** Response ids this relay accepts: `resp_` and letters, digits, `_` or `-`. */
const RESPONSE_ID = /^resp_[A-Za-z0-9_-]{1,200}$/;

/** Whether a string can be a stored response id (anything else is a 400, not a lookup). */
export function isResponseId(value: string): boolean {
  return RESPONSE_ID.test(value);
}

/**
 * A stored response whose items are not what the relay wrote (edited or
 * damaged by hand, written by an incompatible version). The request that
 * reads it fails with this; the record itself is left alone.
 */
export class StoredRecordError extends Error {
  constructor(
    readonly responseId: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`The stored response '${responseId}' is damaged: ${detail}`, options);
    this.name = 'StoredRecordError';
  }
}

/** Items a backend kept as JSON, read back: each must parse as an item of a request would. */
export function readStoredItems(json: string, responseId: string, field: 'input' | 'output'): InputItem[] {
  let values: unknown;
  try {
    values = JSON.parse(json);
  } catch (error) {
    throw new StoredRecordError(responseId, `its ${field} is not JSON.`, { cause: error });
  }
  if (!Array.isArray(values)) throw new StoredRecordError(responseId, `its ${field} is not a list of items.`);
  return values.map((value, index) => {
    let reading;
    try {
      reading = readInputItem(value, `${field}[${index}]`);
    } catch (error) {
      throw new StoredRecordError(responseId, error instanceof Error ? error.message : String(error), { cause: error });
    }
    if ('item' in reading) return reading.item;
    throw new StoredRecordError(
      responseId,
      `${field}[${index}] has the type '${reading.skippedType}', which no stored response holds.`,
    );
  });
}
