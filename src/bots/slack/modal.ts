import type { types } from '@slack/bolt';
import { descriptorsFor, findDescriptor, parseRawOptions, type OptionDescriptor } from '../../pipeline/descriptors.js';
import type { RawOptions } from '../shared/contract.js';

type View = types.ModalView;
type InputBlock = types.InputBlock;

/** The words of the modals, written in the shared layer (the adapter only lays them out). */
export interface ModalTexts {
  readonly title: string;
  readonly submit: string;
  readonly close: string;
  readonly content: string;
  readonly style: string;
  readonly preset: string;
  readonly presetHint?: string;
  readonly presetNameTitle: string;
  readonly presetNameSubmit: string;
}

export const STYLIZE_CALLBACK = 'stylebot_stylize';
export const PRESET_NAME_CALLBACK = 'stylebot_preset_name';
/** the one action id inside each input block: the block id says which input it is */
export const INPUT_ACTION = 'value';
export const CONTENT_BLOCK = 'content';
export const STYLE_BLOCK = 'style';
export const PRESET_BLOCK = 'preset';
export const PRESET_NAME_BLOCK = 'preset_name';
/** option blocks are named by the option's chat name, which is also the key of a field error */
export const optionBlockId = (d: OptionDescriptor) => d.names.chat;

/** The image types Slack's file picker offers (it caps files at 10 MB itself). */
const IMAGE_FILETYPES = ['png', 'jpg', 'jpeg', 'webp', 'gif'];
const TITLE_MAX = 24;
const HINT_MAX = 150;
const SELECT_MAX = 100;
const METADATA_MAX = 3000;

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
const plain = (text: string, max = 2000) => ({ type: 'plain_text' as const, text: cut(text, max), emoji: true });

/** What travels in private_metadata: where the job's messages go once the modal is submitted. */
export interface StylizeMetadata {
  readonly channel: string;
  readonly thread: string | null;
}

export function encodeMetadata(metadata: object): string {
  const text = JSON.stringify(metadata);
  if (text.length > METADATA_MAX) throw new RangeError('private_metadata is over 3000 characters');
  return text;
}

export function decodeMetadata<T>(text: string | undefined): T | undefined {
  try {
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

function fileInput(blockId: string, label: string): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    element: { type: 'file_input', action_id: INPUT_ACTION, filetypes: IMAGE_FILETYPES, max_files: 1 },
  };
}

/** One option's input, generated from its descriptor: numbers as number inputs, choices as selects. */
function optionInput(d: OptionDescriptor, initial: string | undefined): InputBlock {
  const base = { type: 'input' as const, block_id: optionBlockId(d), optional: true, label: plain(d.label), hint: plain(d.help, HINT_MAX) };
  const placeholder = d.default === undefined ? undefined : plain(String(d.default), 150);
  const initialText = initial === undefined ? {} : { initial_value: initial };
  switch (d.kind) {
    case 'integer':
    case 'number':
      return {
        ...base,
        element: {
          type: 'number_input',
          action_id: INPUT_ACTION,
          is_decimal_allowed: d.kind === 'number',
          // exclusive bounds are left to the shared parser, which words the refusal
          ...(d.min !== undefined && !d.minExclusive ? { min_value: String(d.min) } : {}),
          ...(d.max !== undefined && !d.maxExclusive ? { max_value: String(d.max) } : {}),
          ...(placeholder ? { placeholder } : {}),
          ...initialText,
        },
      };
    case 'choice': {
      const options = (d.choices ?? []).slice(0, SELECT_MAX).map((c) => ({ text: plain(c, 75), value: c }));
      const chosen = options.find((o) => o.value === initial);
      return {
        ...base,
        element: { type: 'static_select', action_id: INPUT_ACTION, options, ...(placeholder ? { placeholder } : {}), ...(chosen ? { initial_option: chosen } : {}) },
      };
    }
    case 'boolean': {
      const option = { text: plain(d.label, 75), value: 'true' };
      return {
        ...base,
        element: { type: 'checkboxes', action_id: INPUT_ACTION, options: [option], ...(initial === 'true' ? { initial_options: [option] } : {}) },
      };
    }
    default:
      return { ...base, element: { type: 'plain_text_input', action_id: INPUT_ACTION, ...(placeholder ? { placeholder } : {}), ...initialText } };
  }
}

/**
 * Values typed after `/stylize` (`/stylize steps=50 preset=soft`) that the modal can show as they are:
 * option -> the value in the form the shared parser accepted (a value it refuses is left for the user to
 * fill in, since Slack refuses a whole view with an unparsable initial value).
 */
export function modalInitialValues(pairs: Readonly<Record<string, string>>): { options: Record<string, string>; preset: string | undefined } {
  const options: Record<string, string> = {};
  let preset: string | undefined;
  for (const [name, text] of Object.entries(pairs)) {
    if (name.toLowerCase() === 'preset') {
      preset = text;
      continue;
    }
    const d = descriptorsFor('modal').find((x) => x === findDescriptor(name));
    if (!d) continue;
    const { patch, violations } = parseRawOptions({ [name]: text });
    const value = (patch as Record<string, unknown>)[d.key];
    if (violations.length === 0 && value !== undefined) options[d.names.chat] = String(value);
  }
  return { options, preset };
}

export interface StylizeModalInput {
  readonly texts: ModalTexts;
  readonly metadata: StylizeMetadata;
  readonly presets: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** values to start with (see modalInitialValues) */
  readonly initial?: { readonly options: Readonly<Record<string, string>>; readonly preset: string | undefined };
}

/** The /stylize modal: the two pictures, a preset, and the options the descriptors put on the modal. */
export function stylizeModal({ texts, metadata, presets, initial }: StylizeModalInput): View {
  const blocks: View['blocks'] = [fileInput(CONTENT_BLOCK, texts.content), fileInput(STYLE_BLOCK, texts.style)];
  // a select needs at least one option: without presets the block is left out
  if (presets.length > 0) {
    blocks.push({
      type: 'input',
      block_id: PRESET_BLOCK,
      optional: true,
      label: plain(texts.preset),
      ...(texts.presetHint ? { hint: plain(texts.presetHint, HINT_MAX) } : {}),
      element: (() => {
        const options = presets.slice(0, SELECT_MAX).map((p) => ({ text: plain(p.name, 75), value: p.value }));
        const chosen = options.find((o) => o.value === initial?.preset);
        return { type: 'static_select' as const, action_id: INPUT_ACTION, options, ...(chosen ? { initial_option: chosen } : {}) };
      })(),
    });
  }
  for (const d of descriptorsFor('modal')) blocks.push(optionInput(d, initial?.options[d.names.chat]));
  return {
    type: 'modal',
    callback_id: STYLIZE_CALLBACK,
    private_metadata: encodeMetadata(metadata),
    title: plain(texts.title, TITLE_MAX),
    submit: plain(texts.submit, TITLE_MAX),
    close: plain(texts.close, TITLE_MAX),
    blocks,
  };
}

/** The small modal a button that `asksFor` a text opens (Save as preset: the name). */
export function askModal(texts: ModalTexts, ask: { readonly label: string; readonly placeholder?: string; readonly maxLength: number }, metadata: object): View {
  return {
    type: 'modal',
    callback_id: PRESET_NAME_CALLBACK,
    private_metadata: encodeMetadata(metadata),
    title: plain(texts.presetNameTitle, TITLE_MAX),
    submit: plain(texts.presetNameSubmit, TITLE_MAX),
    close: plain(texts.close, TITLE_MAX),
    blocks: [
      {
        type: 'input',
        block_id: PRESET_NAME_BLOCK,
        label: plain(ask.label),
        element: { type: 'plain_text_input', action_id: INPUT_ACTION, max_length: ask.maxLength, ...(ask.placeholder ? { placeholder: plain(ask.placeholder, 150) } : {}) },
      },
    ],
  };
}

/** A file as Slack puts it in a file_input's state or an event (the fields Stylebot reads). */
export interface SlackFile {
  readonly id: string;
  readonly name?: string;
  readonly title?: string;
  readonly mimetype?: string;
  readonly size?: number;
  readonly url_private_download?: string;
  readonly url_private?: string;
  readonly file_access?: string;
}

interface StateValue {
  readonly type: string;
  readonly value?: string | null;
  readonly selected_option?: { readonly value: string } | null;
  readonly selected_options?: ReadonlyArray<{ readonly value: string }>;
  readonly files?: readonly SlackFile[];
}

export type ViewState = Readonly<Record<string, Readonly<Record<string, StateValue>>>>;

export interface StylizeSubmission {
  readonly content: SlackFile | undefined;
  readonly style: SlackFile | undefined;
  readonly preset: string | undefined;
  readonly options: RawOptions;
}

function valueOf(state: ViewState, blockId: string): StateValue | undefined {
  return state[blockId]?.[INPUT_ACTION];
}

/** Reads a submitted /stylize modal back into files, a preset and raw options (text, as typed). */
export function readStylizeState(state: ViewState): StylizeSubmission {
  const options: Record<string, string> = {};
  for (const d of descriptorsFor('modal')) {
    const v = valueOf(state, optionBlockId(d));
    if (!v) continue;
    const text = v.type === 'checkboxes' ? (v.selected_options?.length ? 'true' : '') : (v.selected_option?.value ?? v.value ?? '');
    if (text !== '') options[d.names.chat] = text;
  }
  return {
    content: valueOf(state, CONTENT_BLOCK)?.files?.[0],
    style: valueOf(state, STYLE_BLOCK)?.files?.[0],
    preset: valueOf(state, PRESET_BLOCK)?.selected_option?.value ?? undefined,
    options,
  };
}

export function readAskState(state: ViewState): string {
  return valueOf(state, PRESET_NAME_BLOCK)?.value?.trim() ?? '';
}

/**
 * Field errors of the shared Reply as `response_action: errors` wants them: by block id. Names the modal
 * has no block for (an option set by a preset) go on the preset block, else on the content block, so that
 * every problem is shown somewhere.
 */
export function modalErrors(fieldErrors: Readonly<Record<string, string>>, view: { readonly blocks?: ReadonlyArray<{ readonly block_id?: string }> }): Record<string, string> {
  const present = new Set((view.blocks ?? []).map((b) => b.block_id).filter((id): id is string => id !== undefined));
  const errors: Record<string, string> = {};
  const fallback = present.has(PRESET_BLOCK) ? PRESET_BLOCK : CONTENT_BLOCK;
  for (const [key, message] of Object.entries(fieldErrors)) {
    const blockId = key === 'style2' ? STYLE_BLOCK : (descriptorBlock(key) ?? key);
    const target = present.has(blockId) ? blockId : fallback;
    errors[target] = errors[target] ? `${errors[target]} ${message}` : message;
  }
  return errors;
}

function descriptorBlock(key: string): string | undefined {
  const d = descriptorsFor('modal').find((x) => x.key === key || x.names.chat === key || x.names.flag === key);
  return d ? optionBlockId(d) : undefined;
}
