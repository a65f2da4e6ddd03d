import { describe, expect, it } from 'vitest';
import { mentionText, parseJobCommand, parseMention, parsePresetCommand, parseQueueCommand, splitArguments } from '../../../src/bots/slack/text.js';

describe('the text arguments of the Slack commands', () => {
  it('splits key=value pairs (quoted values too) from words', () => {
    expect(splitArguments('save soft style_weight=1e4 layers="style=conv1_1 content=conv2_2" steps = 50')).toEqual({
      words: ['save', 'soft'],
      pairs: { style_weight: '1e4', layers: 'style=conv1_1 content=conv2_2', steps: '50' },
    });
  });

  it('reads a mention without the mentions and Slack link markup', () => {
    expect(mentionText('<@U0BOT|stylebot> stylize <mailto:a@b.c|a@b.c>')).toBe('stylize a@b.c');
    expect(parseMention('<@U0BOT> stylize style_weight=1e4 steps=50 preset=soft')).toEqual({ options: { style_weight: '1e4', steps: '50' }, preset: 'soft' });
    expect(parseMention('<@U0BOT>')).toEqual({ options: {}, preset: undefined });
    expect(parseMention('<@U0BOT> what a nice cat')).toBeUndefined();
  });

  it('parses every preset operation and refuses malformed ones', () => {
    expect(parsePresetCommand('save soft steps=50')).toEqual({ kind: 'preset', op: 'save', name: 'soft', options: { steps: '50' } });
    expect(parsePresetCommand('list')).toEqual({ kind: 'preset', op: 'list' });
    expect(parsePresetCommand('show soft')).toEqual({ kind: 'preset', op: 'show', name: 'soft' });
    expect(parsePresetCommand('DELETE soft')).toEqual({ kind: 'preset', op: 'delete', name: 'soft' });
    expect(parsePresetCommand('default none')).toEqual({ kind: 'preset', op: 'default', name: null });
    expect(parsePresetCommand('share soft')).toEqual({ kind: 'preset', op: 'share', name: 'soft' });
    expect(parsePresetCommand('import sb1abc mine')).toEqual({ kind: 'preset', op: 'import', code: 'sb1abc', name: 'mine' });
    for (const bad of ['', 'save', 'save a b', 'list x', 'show', 'frobnicate soft', 'import']) expect(parsePresetCommand(bad)).toBeUndefined();
  });

  it('parses the job and queue commands', () => {
    expect(parseJobCommand('abc123 full')).toEqual({ kind: 'job', jobId: 'abc123', full: true });
    expect(parseJobCommand('abc123')).toEqual({ kind: 'job', jobId: 'abc123', full: false });
    expect(parseJobCommand('')).toBeUndefined();
    expect(parseQueueCommand('')).toEqual({ kind: 'queue', scope: 'mine' });
    expect(parseQueueCommand('server')).toEqual({ kind: 'queue', scope: 'server' });
    expect(parseQueueCommand('everything')).toBeUndefined();
  });
});
