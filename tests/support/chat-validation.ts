/**
 * The checks strict Chat Completions providers make before they accept a
 * request, with the messages they answer. The mock upstream uses them to
 * reject what a real provider would reject (HTTP 400), and the replay tests
 * run every translated Codex request through them.
 *
 * Messages follow the providers' own wording: OpenAI for tool pairing and
 * arguments, DeepSeek and Kimi for a missing `reasoning_content` in thinking mode.
 */

/** How strictly a provider checks reasoning on tool-call turns. */
export type ThinkingMode = 'off' | 'deepseek' | 'kimi';

export interface ValidationOptions {
  thinking?: ThinkingMode;
}

export interface Violation {
  /** The provider's error message. */
  message: string;
  param: string | null;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool']);
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The DeepSeek error for an assistant tool-call message without its reasoning, in thinking mode. */
export const DEEPSEEK_MISSING_REASONING =
  'The `reasoning_content` in the thinking mode must be passed back to the API.';

/** Every problem a strict provider would report; empty when the request is acceptable. */
export function validateChatRequest(body: unknown, options: ValidationOptions = {}): Violation[] {
  const violations: Violation[] = [];
  const fail = (message: string, param: string | null = null) => violations.push({ message, param });
  if (body === null || typeof body !== 'object')
    return [{ message: 'We could not parse the JSON body of your request.', param: null }];
  const request = body as Record<string, any>;
  if (typeof request.model !== 'string' || request.model === '') fail("Missing required parameter: 'model'.", 'model');
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    fail("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages');
    return violations;
  }

  const toolNames = new Set<string>();
  if (request.tools !== undefined) {
    if (!Array.isArray(request.tools)) fail("Invalid type for 'tools': expected an array.", 'tools');
    else {
      request.tools.forEach((tool: any, index: number) => {
        const name = tool?.function?.name;
        if (tool?.type !== 'function' || typeof name !== 'string')
          return fail(`Invalid value for 'tools[${index}]'.`, `tools[${index}]`);
        if (!FUNCTION_NAME.test(name))
          fail(
            `Invalid 'tools[${index}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
            `tools[${index}].function.name`,
          );
        if (toolNames.has(name)) fail(`Invalid 'tools': duplicate function name '${name}'.`, 'tools');
        toolNames.add(name);
        const parameters = tool.function.parameters;
        if (
          parameters !== undefined &&
          (parameters === null || typeof parameters !== 'object' || parameters.type !== 'object')
        ) {
          fail(
            `Invalid schema for function '${name}': schema must be a JSON Schema of 'type: "object"'.`,
            `tools[${index}].function.parameters`,
          );
        }
      });
    }
  }

  let pending: string[] = [];
  let pendingFrom = -1;
  request.messages.forEach((message: any, index: number) => {
    const path = `messages[${index}]`;
    const role = message?.role;
    if (!ROLES.has(role))
      return fail(
        `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', and 'tool'.`,
        `${path}.role`,
      );
    if (role !== 'tool' && pending.length > 0) {
      fail(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
        `messages.[${pendingFrom}].role`,
      );
      pending = [];
    }
    switch (role) {
      case 'system':
      case 'user':
        if (!validContent(message.content, role === 'user'))
          fail(`Invalid value for '${path}.content'.`, `${path}.content`);
        break;
      case 'assistant': {
        const calls = message.tool_calls;
        if (calls === undefined || calls === null) {
          if (typeof message.content !== 'string' || message.content === '')
            fail(`Invalid '${path}': an assistant message needs 'content' or 'tool_calls'.`, `${path}.content`);
          break;
        }
        if (!Array.isArray(calls) || calls.length === 0) {
          fail(
            `Invalid '${path}.tool_calls': empty array. Expected an array with minimum length 1.`,
            `${path}.tool_calls`,
          );
          break;
        }
        if (message.content !== null && message.content !== undefined && typeof message.content !== 'string')
          fail(`Invalid value for '${path}.content'.`, `${path}.content`);
        calls.forEach((call: any, callIndex: number) => {
          const callPath = `${path}.tool_calls[${callIndex}]`;
          if (typeof call?.id !== 'string' || call.id === '')
            fail(`Missing required parameter: '${callPath}.id'.`, `${callPath}.id`);
          if (call?.type !== 'function')
            fail(`Invalid value for '${callPath}.type': expected 'function'.`, `${callPath}.type`);
          const name = call?.function?.name;
          if (typeof name !== 'string' || !FUNCTION_NAME.test(name))
            fail(`Invalid '${callPath}.function.name'.`, `${callPath}.function.name`);
          if (!parsesAsObject(call?.function?.arguments)) {
            fail(
              `Invalid '${callPath}.function.arguments': the arguments must be a JSON object encoded as a string.`,
              `${callPath}.function.arguments`,
            );
          }
        });
        const ids = calls.map((call: any) => call?.id).filter((id: unknown): id is string => typeof id === 'string');
        if (new Set(ids).size !== ids.length)
          fail(`Invalid '${path}.tool_calls': duplicate tool call ids.`, `${path}.tool_calls`);
        if (
          options.thinking &&
          options.thinking !== 'off' &&
          (typeof message.reasoning_content !== 'string' || message.reasoning_content === '')
        ) {
          fail(
            options.thinking === 'deepseek'
              ? DEEPSEEK_MISSING_REASONING
              : `reasoning_content is missing in assistant tool call message at index ${index}`,
            null,
          );
        }
        pending = ids;
        pendingFrom = index;
        break;
      }
      case 'tool': {
        const id = message.tool_call_id;
        if (!pending.includes(id)) {
          fail(
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
            `${path}.role`,
          );
          break;
        }
        pending = pending.filter((candidate) => candidate !== id);
        if (!validContent(message.content, false) || message.content === '')
          fail(`Invalid value for '${path}.content'.`, `${path}.content`);
        break;
      }
    }
  });
  if (pending.length > 0) {
    fail(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
      `messages.[${pendingFrom}].role`,
    );
  }
  return violations;
}

function parsesAsObject(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** A string, or an array of text parts (and image parts where images are allowed). */
function validContent(content: unknown, imagesAllowed: boolean): boolean {
  if (typeof content === 'string') return true;
  if (!Array.isArray(content) || content.length === 0) return false;
  return content.every((part: any) => {
    if (part?.type === 'text') return typeof part.text === 'string';
    if (part?.type === 'image_url') return imagesAllowed && typeof part.image_url?.url === 'string';
    return false;
  });
}

/** The error body a provider returns with HTTP 400 for the first violation. */
export function providerErrorBody(violation: Violation): {
  error: { message: string; type: string; param: string | null; code: string };
} {
  return {
    error: {
      message: violation.message,
      type: 'invalid_request_error',
      param: violation.param,
      code: 'invalid_request_error',
    },
  };
}
