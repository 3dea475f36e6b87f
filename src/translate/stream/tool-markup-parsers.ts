/**
 * Readers for tool calls that a model wrote into its text instead of
 * `tool_calls`. Pure: a whole markup block in, the calls it holds out.
 *
 * - DeepSeek DSML (V3.2 `function_calls`, V4 `tool_calls`, the bar written
 *   fullwidth `｜` or ASCII `|`):
 *     <｜DSML｜tool_calls>
 *     <｜DSML｜invoke name="read">
 *     <｜DSML｜parameter name="path" string="true">a.md</｜DSML｜parameter>
 *     <｜DSML｜parameter name="limit" string="false">20</｜DSML｜parameter>
 *     </｜DSML｜invoke>
 *     </｜DSML｜tool_calls>
 *   `string="true"` values are taken as written, `string="false"` as JSON.
 * - `<tool_call>` blocks in the three shapes open models use: Hermes/Qwen JSON
 *   (`{"name": …, "arguments": {…}}`), Qwen3-Coder
 *   (`<function=name><parameter=key>value</parameter></function>`) and GLM
 *   (`name` then `<arg_key>k</arg_key><arg_value>v</arg_value>` pairs).
 */

export interface MarkupToolCall {
  name: string;
  /** The arguments as a JSON object string. */
  arguments: string;
}

const BAR = '[｜|]';
const INVOKE = new RegExp(`<${BAR}DSML${BAR}invoke\\s+name="([^"]*)"\\s*>([\\s\\S]*?)</${BAR}DSML${BAR}invoke>`, 'g');
const PARAMETER = new RegExp(
  `<${BAR}DSML${BAR}parameter\\s+name="([^"]*)"([^>]*)>([\\s\\S]*?)</${BAR}DSML${BAR}parameter>`,
  'g',
);

/** Calls in a DSML block; undefined when it holds no complete call. */
export function parseDsmlCalls(block: string): MarkupToolCall[] | undefined {
  const calls: MarkupToolCall[] = [];
  for (const invoke of block.matchAll(INVOKE)) {
    const args: Record<string, unknown> = {};
    for (const parameter of invoke[2]!.matchAll(PARAMETER)) {
      const declared = /string="(true|false)"/.exec(parameter[2]!)?.[1];
      const raw = parameter[3]!;
      if (declared === 'true') args[parameter[1]!] = raw;
      else if (declared === 'false') args[parameter[1]!] = parseJsonOr(raw.trim(), raw);
      else args[parameter[1]!] = guessValue(raw);
    }
    calls.push({ name: invoke[1]!.trim(), arguments: JSON.stringify(args) });
  }
  return calls.length > 0 ? calls : undefined;
}

/** The call in one `<tool_call>…</tool_call>` block (closing tag optional). */
export function parseToolCallXml(block: string): MarkupToolCall[] | undefined {
  const body = block
    .replace(/^<tool_call>/, '')
    .replace(/<\/tool_call>\s*$/, '')
    .trim();
  if (body.startsWith('{')) return parseJsonCall(body);
  if (body.startsWith('<function=')) return parseFunctionTagCall(body);
  return parseArgKeyCall(body);
}

function parseJsonCall(body: string): MarkupToolCall[] | undefined {
  const parsed = parseJsonOr(body, undefined);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (typeof record.name !== 'string' || record.name === '') return undefined;
  const args = record.arguments ?? record.parameters ?? {};
  const text = typeof args === 'string' ? args : JSON.stringify(args);
  return [{ name: record.name, arguments: text }];
}

function parseFunctionTagCall(body: string): MarkupToolCall[] | undefined {
  const match = /^<function=([^>\s]+)>([\s\S]*?)(?:<\/function>|$)/.exec(body);
  if (!match) return undefined;
  const args: Record<string, unknown> = {};
  for (const parameter of match[2]!.matchAll(/<parameter=([^>\s]+)>([\s\S]*?)<\/parameter>/g)) {
    args[parameter[1]!] = guessValue(parameter[2]!);
  }
  return [{ name: match[1]!, arguments: JSON.stringify(args) }];
}

function parseArgKeyCall(body: string): MarkupToolCall[] | undefined {
  const name = /^([A-Za-z_][\w.:-]*)/.exec(body)?.[1];
  if (name === undefined) return undefined;
  const rest = body.slice(name.length);
  if (rest.trim() !== '' && !rest.trimStart().startsWith('<arg_key>')) return undefined;
  const args: Record<string, unknown> = {};
  for (const pair of rest.matchAll(/<arg_key>([\s\S]*?)<\/arg_key>\s*<arg_value>([\s\S]*?)<\/arg_value>/g)) {
    args[pair[1]!.trim()] = guessValue(pair[2]!);
  }
  return [{ name, arguments: JSON.stringify(args) }];
}

/**
 * A value whose type the markup does not state: JSON numbers, booleans,
 * objects and arrays are read as such, anything else stays text (without the
 * newlines that templates put around values).
 */
function guessValue(raw: string): unknown {
  const text = raw.replace(/^\n/, '').replace(/\n$/, '');
  const trimmed = text.trim();
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)$/.test(trimmed) || /^[[{]/.test(trimmed)) {
    return parseJsonOr(trimmed, text);
  }
  return text;
}

function parseJsonOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}
