import { describe, expect, it } from 'vitest';
import { ACTION_MAX_LENGTH, ActionCodecError, commandForAction, decodeAction, encodeAction, isOurAction, JOB_ACTIONS } from '../../../src/bots/shared/actions.js';

const problem = (id: string) => {
  try {
    decodeAction(id);
  } catch (error) {
    if (error instanceof ActionCodecError) return error.problem;
    throw error;
  }
  return 'accepted';
};

describe('action codec', () => {
  it('round-trips every job action, versioned and within Discord’s 100 characters', () => {
    for (const action of JOB_ACTIONS) {
      const id = encodeAction(action, 'abc23xyz');
      expect(id).toBe(`sb1:${action}:abc23xyz`);
      expect(id.length).toBeLessThanOrEqual(ACTION_MAX_LENGTH);
      expect(decodeAction(id)).toEqual({ action, subject: 'abc23xyz' });
    }
    expect(decodeAction(encodeAction('vote', 'entry-42'))).toEqual({ action: 'vote', subject: 'entry-42' });
  });

  it('refuses ids that are not ours, of another version, unknown actions and garbled subjects', () => {
    expect(problem('some_other_button')).toBe('foreign');
    expect(problem('sb2:seed:abc23xyz')).toBe('version');
    expect(problem('sb1:explode:abc23xyz')).toBe('action');
    expect(problem('sb1:seed:abc:def')).toBe('subject');
    expect(problem('sb1:seed:')).toBe('subject');
    expect(problem('sb1:seed:ab$cd')).toBe('subject');
    expect(problem(`sb1:seed:${'a'.repeat(100)}`)).toBe('length');
    expect(() => encodeAction('seed', '../etc')).toThrow(ActionCodecError);
    expect(isOurAction('sb1:seed:x')).toBe(true);
    expect(isOurAction('stylize_modal')).toBe(false);
  });

  it('maps a pressed button to its command', () => {
    const replyRef = { channel: 'c1', thread: 't1' };
    expect(commandForAction('sb1:cancel:abc23xyz', { replyRef })).toEqual({ kind: 'cancel', jobId: 'abc23xyz' });
    expect(commandForAction('sb1:card:abc23xyz', { replyRef })).toEqual({ kind: 'job', jobId: 'abc23xyz', full: true });
    expect(commandForAction('sb1:upscale:abc23xyz', { replyRef })).toEqual({ kind: 'followUp', action: 'upscale', jobId: 'abc23xyz', replyRef });
    expect(commandForAction('sb1:save:abc23xyz', { replyRef, input: 'soft' })).toEqual({ kind: 'preset', op: 'saveFromJob', name: 'soft', jobId: 'abc23xyz' });
    expect(commandForAction('sb1:vote:entry-1', { replyRef })).toEqual({ kind: 'challenge', op: 'vote', entryId: 'entry-1' });
  });
});
