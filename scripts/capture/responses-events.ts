/**
 * Scripted Responses API answers for the capture server: output items in,
 * the standard SSE event sequence out (created, in_progress, per item added /
 * deltas / done, completed with usage), as a real Responses server streams it.
 */

export type ScriptedItem =
  | { type: 'message'; text: string }
  | { type: 'reasoning'; text: string; encryptedContent: string | null }
  | { type: 'function_call'; callId: string; name: string; namespace?: string; arguments: string }
  | { type: 'custom_tool_call'; callId: string; name: string; input: string }
  | { type: 'tool_search_call'; callId: string; arguments: Record<string, unknown> };

export interface ScriptedResponse {
  items: ScriptedItem[];
  usage?: { input: number; output: number };
}

/** Renders one scripted response as SSE text. `turn` makes ids unique within a capture. */
export function renderResponse(script: ScriptedResponse, turn: number): string {
  const responseId = `resp_${turn}`;
  let sequence = 0;
  let text = '';
  const emit = (event: Record<string, unknown>) => {
    const full = { type: event.type, sequence_number: sequence++, ...event };
    text += `event: ${String(event.type)}\ndata: ${JSON.stringify(full)}\n\n`;
  };
  const base = {
    id: responseId,
    object: 'response',
    created_at: 1_700_000_000,
    model: 'scripted',
    error: null,
    incomplete_details: null,
  };
  emit({ type: 'response.created', response: { ...base, status: 'in_progress', output: [], usage: null } });
  emit({ type: 'response.in_progress', response: { ...base, status: 'in_progress', output: [], usage: null } });

  const done: Array<Record<string, unknown>> = [];
  script.items.forEach((scripted, outputIndex) => {
    const id = `${itemPrefix(scripted)}_${turn}_${outputIndex}`;
    const item = completeItem(scripted, id);
    emit({ type: 'response.output_item.added', output_index: outputIndex, item: startedItem(scripted, id) });
    switch (scripted.type) {
      case 'message':
        emit({
          type: 'response.content_part.added',
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        });
        emit({
          type: 'response.output_text.delta',
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          delta: scripted.text,
          logprobs: [],
        });
        emit({
          type: 'response.output_text.done',
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          text: scripted.text,
          logprobs: [],
        });
        emit({
          type: 'response.content_part.done',
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          part: { type: 'output_text', text: scripted.text, annotations: [] },
        });
        break;
      case 'reasoning':
        emit({
          type: 'response.reasoning_summary_part.added',
          item_id: id,
          output_index: outputIndex,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        });
        emit({
          type: 'response.reasoning_summary_text.delta',
          item_id: id,
          output_index: outputIndex,
          summary_index: 0,
          delta: scripted.text,
        });
        emit({
          type: 'response.reasoning_text.delta',
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          delta: scripted.text,
        });
        emit({
          type: 'response.reasoning_summary_text.done',
          item_id: id,
          output_index: outputIndex,
          summary_index: 0,
          text: scripted.text,
        });
        emit({
          type: 'response.reasoning_summary_part.done',
          item_id: id,
          output_index: outputIndex,
          summary_index: 0,
          part: { type: 'summary_text', text: scripted.text },
        });
        break;
      case 'function_call':
        emit({
          type: 'response.function_call_arguments.delta',
          item_id: id,
          output_index: outputIndex,
          delta: scripted.arguments,
        });
        emit({
          type: 'response.function_call_arguments.done',
          item_id: id,
          output_index: outputIndex,
          arguments: scripted.arguments,
        });
        break;
      case 'custom_tool_call':
        emit({
          type: 'response.custom_tool_call_input.delta',
          item_id: id,
          output_index: outputIndex,
          delta: scripted.input,
        });
        emit({
          type: 'response.custom_tool_call_input.done',
          item_id: id,
          output_index: outputIndex,
          input: scripted.input,
        });
        break;
      case 'tool_search_call':
        break; // the item carries its arguments whole
      default: {
        const exhaustive: never = scripted;
        throw new Error(`unknown scripted item ${JSON.stringify(exhaustive)}`);
      }
    }
    emit({ type: 'response.output_item.done', output_index: outputIndex, item });
    done.push(item);
  });

  const input = script.usage?.input ?? 1000;
  const output = script.usage?.output ?? 10;
  const usage = {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
  emit({ type: 'response.completed', response: { ...base, status: 'completed', output: done, usage } });
  return text;
}

function itemPrefix(item: ScriptedItem): string {
  switch (item.type) {
    case 'message':
      return 'msg';
    case 'reasoning':
      return 'rs';
    case 'function_call':
      return 'fc';
    case 'custom_tool_call':
      return 'ctc';
    case 'tool_search_call':
      return 'tsc';
  }
}

function startedItem(item: ScriptedItem, id: string): Record<string, unknown> {
  const complete = completeItem(item, id);
  switch (item.type) {
    case 'message':
      return { ...complete, status: 'in_progress', content: [] };
    case 'reasoning':
      return { ...complete, status: 'in_progress', summary: [], content: [] };
    case 'function_call':
      return { ...complete, status: 'in_progress', arguments: '' };
    case 'custom_tool_call':
      return { ...complete, status: 'in_progress', input: '' };
    case 'tool_search_call':
      return { ...complete, status: 'in_progress' };
  }
}

function completeItem(item: ScriptedItem, id: string): Record<string, unknown> {
  switch (item.type) {
    case 'message':
      return {
        type: 'message',
        id,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: item.text, annotations: [], logprobs: [] }],
      };
    case 'reasoning':
      return {
        type: 'reasoning',
        id,
        summary: [{ type: 'summary_text', text: item.text }],
        content: [{ type: 'reasoning_text', text: item.text }],
        encrypted_content: item.encryptedContent,
        status: 'completed',
      };
    case 'function_call':
      return {
        type: 'function_call',
        id,
        call_id: item.callId,
        name: item.name,
        ...(item.namespace ? { namespace: item.namespace } : {}),
        arguments: item.arguments,
        status: 'completed',
      };
    case 'custom_tool_call':
      return {
        type: 'custom_tool_call',
        id,
        call_id: item.callId,
        name: item.name,
        input: item.input,
        status: 'completed',
      };
    case 'tool_search_call':
      return {
        type: 'tool_search_call',
        id,
        call_id: item.callId,
        execution: 'client',
        arguments: item.arguments,
        status: 'completed',
      };
  }
}
