/**
 * One item model: what the relay emitted (`OutputItem`) is kept and replayed
 * as the items a request sends (`InputItem`), checked by the same schemas, so
 * a stored or chained output re-enters translation validated.
 */
import { readInputItem } from './request/parse-request.js';
import type { InputItem } from './request/responses-schema.js';
import type { OutputItem } from './stream/response-object.js';

/** A response's output as input items of the next turn. Every item the relay emits parses; one that does not is a bug and throws. */
export function outputAsInputItems(output: readonly OutputItem[]): InputItem[] {
  return output.map((item, index) => {
    const reading = readInputItem(item, `output[${index}]`);
    if ('item' in reading) return reading.item;
    throw new Error(`output item of type '${reading.skippedType}' cannot be replayed`);
  });
}
