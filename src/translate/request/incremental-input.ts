/**
 * The translation of a conversation kept between turns, so a turn that
 * continues it translates only its new items. A WebSocket connection keeps one
 * per response of its chain: Codex sends only what is new after
 * `previous_response_id`, and without this every turn would translate the
 * whole history again.
 *
 * Extending gives exactly the messages `convertInput` gives for the whole
 * conversation (the fixture and generated-conversation tests compare the two).
 * Where it could not, `extend` answers undefined and the caller translates the
 * whole conversation: other translation options (provider, model, effort,
 * tools), earlier items that are not the ones translated (a compaction that
 * replaced them, reasoning restored from the store), a translation already
 * extended another way (two turns on one `previous_response_id`), or a new
 * output for a call already sent without one. Pure: no I/O.
 */
import { copyKeptMessage, KeptMessages } from '../chat-request-json.js';
import type { ChatMessage } from '../chat-types.js';
import type { TranslationNote } from '../notes.js';
import {
  appendInput,
  type ConversionState,
  type ConvertInputOptions,
  conversionMessages,
  startConversion,
} from './convert-input.js';
import type { InputItem } from './responses-schema.js';

/** A conversion state and how many times it has been extended; one is shared by the translations of one chain. */
interface Lineage {
  state: ConversionState;
  version: number;
  /** The state's finished messages, whose text is encoded once for every turn's request. */
  kept: KeptMessages;
}

export class InputTranslation {
  private readonly lineage: Lineage;
  /** The lineage's version this translation is: a later one means the state has moved on. */
  private readonly version: number;
  /** The items translated, to check that a continuation starts with them. */
  private readonly items: readonly InputItem[];
  private readonly options: ConvertInputOptions;

  private constructor(lineage: Lineage, items: readonly InputItem[], options: ConvertInputOptions) {
    this.lineage = lineage;
    this.version = lineage.version;
    this.items = items;
    this.options = options;
  }

  /** Translates a whole conversation. */
  static translate(
    items: readonly InputItem[],
    options: ConvertInputOptions,
    notes: TranslationNote[],
  ): InputTranslation {
    const state = startConversion();
    appendInput(state, items, options, notes);
    return new InputTranslation({ state, version: 0, kept: new KeptMessages(state.messages) }, items, options);
  }

  /** The number of items translated. */
  get itemCount(): number {
    return this.items.length;
  }

  /**
   * The translation of `items`, which start with the items translated here,
   * by translating only the rest; undefined when that would not give what a
   * whole translation gives. Notes are those of the new items only.
   */
  extend(
    items: readonly InputItem[],
    options: ConvertInputOptions,
    notes: TranslationNote[],
  ): InputTranslation | undefined {
    const { lineage } = this;
    if (lineage.version !== this.version || !sameOptions(this.options, options) || items.length < this.items.length)
      return undefined;
    for (let index = 0; index < this.items.length; index++) {
      if (!sameItem(items[index]!, this.items[index]!)) return undefined;
    }
    const added = items.slice(this.items.length);
    if (added.some((item) => answersUnansweredCall(item, lineage.state))) return undefined;
    appendInput(lineage.state, added, options, notes);
    lineage.version++;
    return new InputTranslation(lineage, items, options);
  }

  /**
   * The Chat messages, `instructions` first. The kept messages must not change
   * (chatRequestJson reuses their text): a provider whose hooks change
   * messages in place gets copies of them.
   */
  messages(instructions: string | null): ChatMessage[] {
    const { lineage } = this;
    if (lineage.version !== this.version)
      throw new Error('this translation has been extended since; only the newest one can be read');
    lineage.kept.update();
    const messages = conversionMessages(lineage.state, instructions, this.options);
    return this.options.hooks.changesMessagesInPlace ? messages.map(copyKeptMessage) : messages;
  }
}

/** Whether the translation options would translate the same items the same way. */
function sameOptions(kept: ConvertInputOptions, options: ConvertInputOptions): boolean {
  const { context } = options;
  return (
    kept.hooks === options.hooks &&
    kept.images === options.images &&
    kept.imagesInToolResults === options.imagesInToolResults &&
    kept.context.upstreamModel === context.upstreamModel &&
    kept.context.effort === context.effort &&
    kept.context.model === context.model &&
    kept.context.supportedEfforts === context.supportedEfforts &&
    options.names.namesLike(kept.names)
  );
}

/**
 * The same item, or a message that translates the same: a compaction's
 * summary is a new object each turn with the same text.
 */
function sameItem(item: InputItem, kept: InputItem): boolean {
  if (item === kept) return true;
  return (
    item.type === 'message' &&
    kept.type === 'message' &&
    item.role === kept.role &&
    typeof item.content === 'string' &&
    item.content === kept.content
  );
}

/** A tool output for a call the kept messages already answered with the placeholder: the whole translation would use it. */
function answersUnansweredCall(item: InputItem, state: ConversionState): boolean {
  if (
    item.type !== 'function_call_output' &&
    item.type !== 'custom_tool_call_output' &&
    item.type !== 'tool_search_output'
  )
    return false;
  return typeof item.call_id === 'string' && state.unanswered.has(item.call_id);
}
