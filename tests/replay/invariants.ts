/**
 * What must hold for every translated Codex request, checked against the
 * Responses request it came from (not against the translator's own output).
 */
import { expect } from 'vitest';
import type { BuiltChatRequest } from '../../src/translate/request/build-chat-request.js';
import { flattenToolName } from '../../src/translate/tool-names.js';

type Item = Record<string, any>;
type Message = Record<string, any>;

const ASSISTANT_SIDE = new Set(['reasoning', 'function_call', 'custom_tool_call', 'tool_search_call']);

function partsText(content: unknown, separator: string): string {
  if (typeof content === 'string') return content;
  return (content as Item[])
    .filter((part) => typeof part.text === 'string')
    .map((part) => part.text as string)
    .join(separator);
}

/** Developer/system/user text keeps its order and its place between the other messages. */
export function expectInstructionsInOrder(body: Item, chat: Message[]): void {
  const expected: Array<{ role: string; text: string }> = [];
  if (typeof body.instructions === 'string' && body.instructions !== '')
    expected.push({ role: 'system', text: body.instructions });
  for (const item of body.input as Item[]) {
    if ((item.type ?? 'message') !== 'message') continue;
    if (item.role === 'developer' || item.role === 'system')
      expected.push({ role: 'system', text: partsText(item.content, '\n\n') });
    else if (item.role === 'user') expected.push({ role: 'user', text: partsText(item.content, '\n\n') });
  }
  const actual = chat
    .filter((message) => message.role === 'system' || (message.role === 'user' && !isToolImageMessage(message)))
    .map((message) => ({ role: message.role as string, text: partsText(message.content, '\n\n') }));
  expect(actual).toEqual(expected);
}

function isToolImageMessage(message: Message): boolean {
  return (
    Array.isArray(message.content) &&
    typeof message.content[0]?.text === 'string' &&
    message.content[0].text.startsWith('Image output of tool call')
  );
}

/** Every assistant tool call is answered right after its message, and every tool message answers one. */
export function expectToolPairs(chat: Message[]): void {
  for (let index = 0; index < chat.length; index++) {
    const message = chat[index]!;
    if (message.role === 'tool') {
      // Reached only when a tool message is not inside a block checked below.
      throw new Error(`tool message at ${index} does not follow an assistant tool-call message`);
    }
    if (message.role !== 'assistant' || !message.tool_calls) continue;
    const ids = (message.tool_calls as Item[]).map((call) => call.id as string);
    const answers = chat.slice(index + 1, index + 1 + ids.length);
    expect(answers.map((answer) => answer.role)).toEqual(ids.map(() => 'tool'));
    expect(answers.map((answer) => answer.tool_call_id)).toEqual(ids);
    index += ids.length;
  }
}

/** Runs of assistant-side items in the Responses input: one turn each. */
function assistantTurns(input: Item[]): Item[][] {
  const turns: Item[][] = [];
  let current: Item[] = [];
  for (const item of input) {
    const assistantSide =
      ASSISTANT_SIDE.has(item.type) || ((item.type ?? 'message') === 'message' && item.role === 'assistant');
    if (assistantSide) current.push(item);
    else if (current.length > 0) {
      turns.push(current);
      current = [];
    }
  }
  if (current.length > 0) turns.push(current);
  return turns.filter((turn) => turn.some((item) => item.type !== 'reasoning'));
}

/** The text and all calls of one turn form one assistant message, with the turn's reasoning echoed on it. */
export function expectOneMessagePerTurn(body: Item, chat: Message[]): void {
  const turns = assistantTurns(body.input as Item[]);
  const assistants = chat.filter((message) => message.role === 'assistant');
  expect(assistants).toHaveLength(turns.length);
  turns.forEach((turn, index) => {
    const message = assistants[index]!;
    const callIds = turn
      .filter((item) => item.type !== 'reasoning' && item.type !== 'message')
      .map((item) => item.call_id);
    expect((message.tool_calls ?? []).map((call: Item) => call.id)).toEqual(callIds);
    const reasoning = turn
      .filter((item) => item.type === 'reasoning')
      .map((item) => partsText(item.content ?? [], ''))
      .join('');
    if (reasoning === '') expect(message.reasoning_content).toBeUndefined();
    else expect(message.reasoning_content).toBe(reasoning);
  });
  for (let index = 1; index < chat.length; index++) {
    expect(chat[index - 1]!.role === 'assistant' && chat[index]!.role === 'assistant').toBe(false);
  }
}

/** Function, custom (freeform) and namespace tools map to flat functions that resolve back; hosted tools are dropped. */
export function expectToolMapping(body: Item, built: BuiltChatRequest): void {
  const chatTools = (built.body.tools ?? []).map((tool) => tool.function);
  const byName = new Map(chatTools.map((tool) => [tool.name, tool]));
  expect(byName.size).toBe(chatTools.length);
  for (const tool of chatTools) expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);

  const declared: Item[] = [...(body.tools as Item[])];
  for (const item of body.input as Item[])
    if (item.type === 'tool_search_output') declared.push(...(item.tools as Item[]));
  let expectedCount = 0;
  for (const tool of declared) {
    switch (tool.type) {
      case 'function':
        expectedCount++;
        expect(byName.get(tool.name)?.parameters).toEqual(tool.parameters);
        expect(built.names.resolve(tool.name)).toEqual({ kind: 'function', name: tool.name });
        break;
      case 'custom': {
        expectedCount++;
        const mapped = byName.get(tool.name);
        expect(mapped?.parameters).toEqual(
          expect.objectContaining({
            required: ['input'],
            properties: { input: expect.objectContaining({ type: 'string' }) },
          }),
        );
        if (tool.format?.definition) expect(mapped?.description).toContain(String(tool.format.definition).trim());
        expect(built.names.resolve(tool.name)).toEqual({ kind: 'custom', name: tool.name });
        break;
      }
      case 'namespace':
        for (const inner of tool.tools as Item[]) {
          expectedCount++;
          const flat = flattenToolName(tool.name, inner.name);
          expect(byName.get(flat)?.parameters).toEqual(inner.parameters);
          expect(built.names.resolve(flat)).toEqual({ kind: 'function', name: inner.name, namespace: tool.name });
        }
        break;
      case 'tool_search':
        expectedCount++;
        expect(built.names.resolve('tool_search')).toEqual({ kind: 'tool_search', name: 'tool_search' });
        break;
      default:
        // Hosted tools (web_search …) cannot run on a Chat upstream.
        expect(chatTools.some((chatTool) => chatTool.name === tool.type)).toBe(false);
    }
  }
  expect(chatTools).toHaveLength(expectedCount);
}

/** Calls in history use the same flat names; a custom call's raw input travels as `{"input": …}`. */
export function expectHistoryCalls(body: Item, chat: Message[]): void {
  const calls = new Map<string, Item>();
  for (const message of chat) for (const call of message.tool_calls ?? []) calls.set(call.id, call);
  for (const item of body.input as Item[]) {
    if (item.type === 'function_call') {
      const call = calls.get(item.call_id);
      expect(call?.function.name).toBe(item.namespace ? flattenToolName(item.namespace, item.name) : item.name);
      expect(JSON.parse(call?.function.arguments)).toEqual(JSON.parse(item.arguments));
    } else if (item.type === 'custom_tool_call') {
      const call = calls.get(item.call_id);
      expect(call?.function.name).toBe(item.name);
      expect(JSON.parse(call?.function.arguments)).toEqual({ input: item.input });
    }
  }
}

/** Images a tool returned reach the model right after the tool results, as the profile requires. */
export function expectToolImages(body: Item, chat: Message[]): void {
  for (const item of body.input as Item[]) {
    if (item.type !== 'function_call_output' || !Array.isArray(item.output)) continue;
    const images = (item.output as Item[]).filter((part) => part.type === 'input_image');
    if (images.length === 0) continue;
    const toolIndex = chat.findIndex((message) => message.role === 'tool' && message.tool_call_id === item.call_id);
    expect(toolIndex).toBeGreaterThan(0);
    expect(chat[toolIndex]!.content).toContain('image output follows');
    let next = toolIndex + 1;
    while (chat[next]?.role === 'tool') next++;
    const carrier = chat[next]!;
    expect(carrier.role).toBe('user');
    expect(carrier.content).toEqual(
      expect.arrayContaining(
        images.map((image) => ({
          type: 'image_url',
          image_url: { url: image.image_url, detail: image.detail === 'original' ? 'high' : image.detail },
        })),
      ),
    );
  }
}
