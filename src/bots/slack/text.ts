import type { Command, PresetCommand, RawOptions } from '../shared/contract.js';

/**
 * The text arguments of Stylebot's Slack commands, the one thing Slack adds over the other platforms:
 * `/stylize-preset save portrait style_weight=1e4`, `@Stylebot stylize steps=200`. Parsing stops at
 * shapes; values are checked by the shared parser, which words every problem.
 */

/** `key=value` pairs (quotes allowed around values) and the other words, in order. */
export function splitArguments(text: string): { readonly words: string[]; readonly pairs: Record<string, string> } {
  const words: string[] = [];
  const pairs: Record<string, string> = {};
  const token = /([^\s=]+)\s*=\s*(?:"([^"]*)"|“([^”]*)”|(\S+))|(\S+)/g;
  for (const m of text.matchAll(token)) {
    if (m[5] !== undefined) words.push(m[5]);
    else pairs[m[1]!] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return { words, pairs };
}

/** A mention's text without the `<@U…>` mentions and Slack's link markup around plain values. */
export function mentionText(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, ' ').replace(/<([^|>]+)\|([^>]+)>/g, '$2').trim();
}

export interface MentionRequest {
  readonly options: RawOptions;
  readonly preset: string | undefined;
}

/** `stylize style_weight=1e4 steps=50 preset=portrait` (the word `stylize` is optional). */
export function parseMention(text: string): MentionRequest | undefined {
  const { words, pairs } = splitArguments(mentionText(text));
  const extra = words.filter((w) => w.toLowerCase() !== 'stylize');
  if (extra.length > 0 && Object.keys(pairs).length === 0 && words.length === extra.length) return undefined;
  const { preset, ...options } = pairs;
  return { options, preset: preset && preset !== '' ? preset : undefined };
}

/** `/stylize-job <id> [full]` */
export function parseJobCommand(text: string): Command | undefined {
  const { words } = splitArguments(text);
  const [id, flag] = words;
  if (!id || words.length > 2 || (flag !== undefined && flag.toLowerCase() !== 'full')) return undefined;
  return { kind: 'job', jobId: id, full: flag !== undefined };
}

/** `/stylize-queue [server]` */
export function parseQueueCommand(text: string): Command | undefined {
  const { words } = splitArguments(text);
  if (words.length === 0 || (words.length === 1 && words[0]!.toLowerCase() === 'mine')) return { kind: 'queue', scope: 'mine' };
  if (words.length === 1 && words[0]!.toLowerCase() === 'server') return { kind: 'queue', scope: 'server' };
  return undefined;
}

/** `/stylize-history [cursor]` */
export function parseHistoryCommand(text: string): Command | undefined {
  const { words } = splitArguments(text);
  if (words.length > 1) return undefined;
  return words[0] ? { kind: 'history', cursor: words[0] } : { kind: 'history' };
}

/** `/stylize-preset save|list|show|delete|default|share|import …` */
export function parsePresetCommand(text: string): Command | undefined {
  const { words, pairs } = splitArguments(text);
  const [op, ...rest] = words;
  const preset = (command: PresetCommand): Command => ({ kind: 'preset', ...command });
  const noPairs = Object.keys(pairs).length === 0;
  switch (op?.toLowerCase()) {
    case 'save':
      return rest.length === 1 ? preset({ op: 'save', name: rest[0]!, options: pairs }) : undefined;
    case 'list':
      return rest.length === 0 && noPairs ? preset({ op: 'list' }) : undefined;
    case 'show':
    case 'delete':
    case 'share':
      return rest.length === 1 && noPairs ? preset({ op: op.toLowerCase() as 'show' | 'delete' | 'share', name: rest[0]! }) : undefined;
    case 'default':
      if (rest.length !== 1 || !noPairs) return undefined;
      return preset({ op: 'default', name: rest[0]!.toLowerCase() === 'none' ? null : rest[0]! });
    case 'import':
      if (!noPairs || rest.length < 1 || rest.length > 2) return undefined;
      return preset(rest[1] ? { op: 'import', code: rest[0]!, name: rest[1] } : { op: 'import', code: rest[0]! });
    default:
      return undefined;
  }
}
