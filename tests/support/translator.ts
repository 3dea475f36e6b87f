/** A stream translator with fixed ids and clock, the generic provider hooks and no tools. */
import { genericHooks } from '../../src/providers/define-provider.js';
import { parseResponsesRequest } from '../../src/translate/request/parse-request.js';
import { buildResponseEcho } from '../../src/translate/stream/response-object.js';
import { ResponseStreamTranslator } from '../../src/translate/stream/response-stream.js';
import { ToolNameMap } from '../../src/translate/tool-names.js';

export function createTestTranslator(): ResponseStreamTranslator {
  let counter = 0;
  return new ResponseStreamTranslator({
    responseId: 'resp_test',
    createdAt: 1_700_000_000,
    createId: (prefix) => `${prefix}_${++counter}`,
    now: () => 1_700_000_001,
    echo: buildResponseEcho(parseResponsesRequest({ model: 'mock-model', input: 'hi' }).request, []),
    names: new ToolNameMap(),
    hooks: genericHooks,
    classifyStreamError: () => ({ code: 'server_error', message: 'failed' }),
  });
}
