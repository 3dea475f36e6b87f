/**
 * Scenarios where Codex does the work the model asks for: a plain answer,
 * exec_command, two parallel calls, apply_patch (freeform), view_image and
 * --output-schema. Each checks the result on disk and what reached the upstream.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chatAnswer, fragmentArguments } from '../../support/scripted-upstream.js';
import type { E2EScenario } from '../harness.js';
import { assistantToolCallMessages, messages, textOf, toolNames, toolResults } from './chat-reading.js';

/** A 2×2 PNG (red, green / blue, white). */
const SMALL_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR42mP4z8DAAMIM/4EAAB/uBfvxq7p3AAAAAElFTkSuQmCC';

const ADD_FILE_PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+hello from apply_patch\n*** End Patch\n';

export const plainAnswer: E2EScenario = {
  id: 'plain-answer',
  websocket: true,
  title: 'plain answer',
  prompt: 'Say pong',
  script: () => chatAnswer({ text: 'pong' }),
  verify: ({ run, bodies, transcript }) => {
    expect(run.lastMessage?.trim(), transcript).toBe('pong');
    expect(bodies).toHaveLength(1);
    const [body] = bodies;
    expect(body!.stream).toBe(true);
    expect(body!.stream_options).toEqual({ include_usage: true });
    // The model catalog is in effect: a reasoning effort, and apply_patch offered as a freeform tool.
    expect(body!.reasoning_effort).toBe('high');
    expect(toolNames(body!)).toContain('apply_patch');
    expect(textOf(messages(body!).at(-1))).toBe('Say pong');
  },
};

export const execCommand: E2EScenario = {
  id: 'exec-command',
  continuesOverHttp: true,
  websocket: true,
  title: 'exec_command round trip',
  prompt: 'Write the proof file and tell me what the command printed',
  script: (request, index) => {
    if (index === 0) {
      // Text and a tool call in one turn, as most models do it.
      return chatAnswer({
        text: 'Running the command.',
        toolCalls: [
          {
            id: 'call_exec_1',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'printf exec-ok > exec-proof.txt && echo exec-output-42' }),
          },
        ],
      });
    }
    const output = toolResults(request.body).get('call_exec_1') ?? '';
    return chatAnswer({
      text: output.includes('exec-output-42') ? 'The command printed exec-output-42.' : 'I did not see the output.',
    });
  },
  verify: ({ run, bodies, workspace, transcript }) => {
    expect(readFileSync(join(workspace.project, 'exec-proof.txt'), 'utf8')).toBe('exec-ok');
    expect(bodies).toHaveLength(2);
    // The turn's text and its call come back as one assistant message.
    const [turn] = assistantToolCallMessages(bodies[1]!);
    expect(turn).toMatchObject({
      content: 'Running the command.',
      tool_calls: [{ id: 'call_exec_1', function: { name: 'exec_command' } }],
    });
    expect(toolResults(bodies[1]!).get('call_exec_1')).toContain('exec-output-42');
    expect(run.lastMessage?.trim(), transcript).toBe('The command printed exec-output-42.');
  },
};

export const parallelCalls: E2EScenario = {
  id: 'parallel-tool-calls',
  continuesOverHttp: true,
  websocket: true,
  title: 'two parallel tool calls in one turn',
  prompt: 'Create both proof files at once',
  script: (request, index) => {
    if (index === 0) {
      return chatAnswer({
        toolCalls: [
          {
            id: 'call_par_a',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'printf a > parallel-a.txt && echo made-a' }),
          },
          {
            id: 'call_par_b',
            name: 'exec_command',
            argumentPieces: fragmentArguments({ cmd: 'printf b > parallel-b.txt && echo made-b' }),
          },
        ],
      });
    }
    const results = toolResults(request.body);
    return chatAnswer({
      text: `${results.get('call_par_a')?.includes('made-a') ? 'a' : '-'}${results.get('call_par_b')?.includes('made-b') ? 'b' : '-'}`,
    });
  },
  verify: ({ run, bodies, workspace, transcript }) => {
    expect(readFileSync(join(workspace.project, 'parallel-a.txt'), 'utf8')).toBe('a');
    expect(readFileSync(join(workspace.project, 'parallel-b.txt'), 'utf8')).toBe('b');
    expect(bodies).toHaveLength(2);
    const turns = assistantToolCallMessages(bodies[1]!);
    expect(turns).toHaveLength(1);
    expect(turns[0]!.tool_calls.map((call: any) => call.id)).toEqual(['call_par_a', 'call_par_b']);
    expect(run.lastMessage?.trim(), transcript).toBe('ab');
  },
};

export const applyPatch: E2EScenario = {
  id: 'apply-patch',
  continuesOverHttp: true,
  websocket: true,
  title: 'apply_patch creates a file (freeform tool)',
  prompt: 'Create hello.txt with apply_patch',
  script: (request, index) => {
    if (index === 0) {
      const tool = (request.body.tools as any[]).find((candidate) => candidate.function.name === 'apply_patch');
      // Freeform: one string parameter carrying the raw patch.
      if (!tool || JSON.stringify(tool.function.parameters.required) !== '["input"]')
        return chatAnswer({ text: 'apply_patch is not freeform here' });
      return chatAnswer({
        toolCalls: [
          { id: 'call_patch_1', name: 'apply_patch', argumentPieces: fragmentArguments({ input: ADD_FILE_PATCH }) },
        ],
      });
    }
    return chatAnswer({
      text: toolResults(request.body).get('call_patch_1')?.includes('hello.txt') ? 'patched' : 'no patch result',
    });
  },
  verify: ({ run, bodies, workspace, transcript }) => {
    expect(readFileSync(join(workspace.project, 'hello.txt'), 'utf8')).toBe('hello from apply_patch\n');
    expect(bodies).toHaveLength(2);
    const call = assistantToolCallMessages(bodies[1]!)[0]!.tool_calls[0];
    expect(JSON.parse(call.function.arguments)).toEqual({ input: ADD_FILE_PATCH });
    expect(run.lastMessage?.trim(), transcript).toBe('patched');
  },
};

/** The image parts of the request's user messages, in order. */
function imageUrls(body: Record<string, any>): string[] {
  return messages(body).flatMap((message) =>
    message.role === 'user' && Array.isArray(message.content)
      ? message.content
          .filter((part: any) => part.type === 'image_url')
          .map((part: any) => part.image_url.url as string)
      : [],
  );
}

/** The PNG bytes a data URL carries. */
function pngBytes(url: string): Buffer {
  expect(url.startsWith('data:image/png;base64,')).toBe(true);
  return Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
}

export const viewImage: E2EScenario = {
  id: 'view-image',
  continuesOverHttp: true,
  title: 'view_image (and an image attached with -i) reach the upstream',
  prompt: 'Look at pixels.png',
  setup: (workspace) => {
    const path = join(workspace.project, 'pixels.png');
    writeFileSync(path, Buffer.from(SMALL_PNG_BASE64, 'base64'));
    return ['--image', path];
  },
  script: (request, index) => {
    if (index === 0)
      return chatAnswer({
        toolCalls: [
          { id: 'call_img_1', name: 'view_image', argumentPieces: fragmentArguments({ path: 'pixels.png' }) },
        ],
      });
    return chatAnswer({ text: imageUrls(request.body).length === 2 ? 'four pixels, twice' : 'an image is missing' });
  },
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(2);
    // The attached image is part of the user's message from the first request on.
    expect(imageUrls(bodies[0]!)).toHaveLength(1);
    const [attached, viewed] = imageUrls(bodies[1]!);
    // The tool's picture arrives as an image, right after the tool result.
    const toolIndex = messages(bodies[1]!).findIndex(
      (message) => message.role === 'tool' && message.tool_call_id === 'call_img_1',
    );
    expect(messages(bodies[1]!)[toolIndex + 1]!.content).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'image_url' })]),
    );
    // Byte for byte the picture in the project.
    for (const url of [attached!, viewed!])
      expect(pngBytes(url).equals(Buffer.from(SMALL_PNG_BASE64, 'base64'))).toBe(true);
    expect(run.lastMessage?.trim(), transcript).toBe('four pixels, twice');
  },
};

const ANSWER_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
};

export const outputSchema: E2EScenario = {
  id: 'output-schema',
  title: '--output-schema becomes response_format json_schema',
  prompt: 'Answer pong as JSON',
  setup: (workspace) => {
    const path = join(workspace.root, 'answer-schema.json');
    writeFileSync(path, JSON.stringify(ANSWER_SCHEMA));
    return ['--output-schema', path];
  },
  script: () => chatAnswer({ text: '{"answer":"pong"}' }),
  verify: ({ run, bodies, transcript }) => {
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'codex_output_schema', strict: true, schema: ANSWER_SCHEMA },
    });
    expect(JSON.parse(run.lastMessage ?? 'null'), transcript).toEqual({ answer: 'pong' });
  },
};
