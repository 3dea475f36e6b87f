/** Random ids in OpenAI's style: a type prefix and 32 hex characters. */
import { randomUUID } from 'node:crypto';

export function createRandomId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}
