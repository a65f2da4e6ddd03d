import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandForAction, encodeAction, type Actor, type Command, type ReplyRef } from '../../src/bots/shared/index.js';
import { actor, CAT, memoryAttachment, WAVE, type TransportCall } from '../bots/shared/support.js';
import { FakeClock, T0 } from '../jobs/support.js';
import { tempDir } from '../store/support.js';
import { finishRun, startBot, type BotHarness } from './support.js';

const HOUR = 3_600_000;
const THREAD: ReplyRef = { thread: 'challenge-thread' };
const mod: Actor = actor({ userId: 'mod', isAdmin: true, isModerator: true });
const ada = actor({ userId: 'ada' });
const bob = actor({ userId: 'bob' });
const cy = actor({ userId: 'cy' });

const start = (duration = '2d', options: Record<string, string> = { size: '64', steps: '10' }): Command => ({
  kind: 'challenge',
  op: 'start',
  style: WAVE(),
  title: 'Great waves',
  duration,
  options,
  replyRef: { channel: 'channel-1' },
});
const submit = (): Command => ({ kind: 'challenge', op: 'submit', content: CAT(), replyRef: { channel: 'channel-1' } });
const vote = (entryId: string) => commandForAction(encodeAction('vote', entryId), { replyRef: null });

/** The posts in the challenge's conversation (not the jobs' own status messages). */
const inThread = (calls: readonly TransportCall[]) =>
  calls.filter((c) => JSON.stringify(c.op === 'edit' ? (c.target as { in?: unknown }).in : c.target) === JSON.stringify(THREAD));

describe('/challenge through the bot core, with the real job service on SQLite and a fake transport', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: BotHarness;
  beforeEach(async () => {
    tmp = tempDir();
    h = await startBot(tmp.dir);
  });
  afterEach(async () => {
    await h.close();
    tmp.cleanup();
  });

  async function started(): Promise<string> {
    const reply = await h.core.handle(start(), mod);
    expect(reply.challengeId).toBeDefined();
    await h.core.bindChallenge!(reply.challengeId!, THREAD);
    return reply.challengeId!;
  }

  /** Submits for `who`, finishes its run, and returns the entry's id (from its Vote button). */
  async function enter(who: Actor, runIndex: number): Promise<{ entryId: string; reply: Awaited<ReturnType<BotHarness['core']['handle']>> }> {
    const reply = await h.core.handle(submit(), who);
    expect(reply.jobId, reply.message.body).toBeDefined();
    await finishRun(h, runIndex);
    const entered = await h.events.waitFor('entered', (e) => e.entry.jobId === reply.jobId);
    await h.settle();
    return { entryId: entered.entry.id, reply };
  }

  it('starts for admins with the style picture, rules and deadline; refuses members before downloading anything', async () => {
    const style = memoryAttachment(Buffer.from('never fetched'));
    const refused = await h.core.handle({ ...start(), style } as Command, ada);
    expect(refused.visibility).toBe('private');
    expect(refused.message.body).toMatch(/Only server admins/);
    expect(style.state.opened).toBe(0);

    const reply = await h.core.handle(start(), mod);
    expect(reply.visibility).toBe('public');
    expect(reply.message.title).toBe('Style challenge: Great waves');
    expect(reply.message.body).toMatch(/Closes 2025-12-02 12:00 UTC \(in 48 hours\)/);
    expect(reply.message.body).toMatch(/One entry per member/);
    expect(reply.message.body).toMatch(/equal votes go to the entry that came in first/);
    expect(reply.message.images?.map((i) => [i.role, i.contentType])).toEqual([['style', 'image/jpeg']]);
    expect(reply.message.fields?.map((f) => [f.name, f.value])).toEqual(expect.arrayContaining([['size', '64'], ['steps', '10']]));

    const bad = await h.core.handle(start('whenever'), mod);
    expect(bad.message.body).toMatch(/not a duration I can read.*2d/);
    const badOption = await h.core.handle(start('1d', { steps: 'many' }), mod);
    expect(badOption.fieldErrors).toHaveProperty('steps');
  });

  it('posts each entry with its pictures and a Vote button; a second submission replaces the first and drops its votes, with notices', async () => {
    await started();
    const first = await enter(ada, 0);
    const posts = inThread(h.transport.delivered);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ op: 'upload', parts: { actions: [{ id: encodeAction('vote', first.entryId), label: 'Vote' }] } });
    expect(posts[0]!.files?.map((f) => f.role)).toEqual(['result', 'gif']);
    expect(posts[0]!.parts.body).toMatch(/By <@ada> · 0 votes/);

    await enter(bob, 1);
    expect((await h.core.handle(vote(first.entryId), bob)).message.body).toMatch(/You voted for entry/);

    const again = await h.core.handle(submit(), ada);
    expect(again.message.body).toMatch(/replaces your entry .* and that entry's 1 vote will be dropped/);
    await finishRun(h, 2);
    const replaced = await h.events.waitFor('entered', (e) => e.entry.jobId === again.jobId);
    await h.settle();
    const latest = inThread(h.transport.delivered);
    const newPost = latest.find((c) => c.op === 'upload' && c.parts.actions?.[0]?.id === encodeAction('vote', replaced.entry.id));
    expect(newPost?.parts.body).toMatch(/replaces their earlier entry, whose 1 vote were dropped/);
    const oldEdit = latest.filter((c) => c.op === 'edit' && c.parts.title === `Entry ${first.entryId} — replaced`);
    expect(oldEdit).toHaveLength(1);
    expect(oldEdit[0]!.parts.actions).toBeUndefined();
    // the old entry's button now says why it no longer works
    expect((await h.core.handle(vote(first.entryId), cy)).message.body).toMatch(/was replaced by a newer entry/);
  });

  it('votes: own entry refused, a vote moved, concurrent votes all counted, counts edited at most every 10 s', async () => {
    await started();
    const a = await enter(ada, 0);
    const b = await enter(bob, 1);
    expect((await h.core.handle(vote(a.entryId), ada)).message.body).toMatch(/cannot vote for your own entry/);

    const edits = () => inThread(h.transport.delivered).filter((c) => c.op === 'edit');
    await h.core.handle(vote(a.entryId), cy);
    await h.settle();
    // the entry was posted under 10 s ago: its count waits
    expect(edits()).toEqual([]);
    h.timers.advance(10_000);
    await h.settle();
    expect(edits().map((e) => e.parts.body)).toEqual([expect.stringMatching(/By <@ada> · 1 vote$/)]);

    const moved = await h.core.handle(vote(b.entryId), cy);
    expect(moved.message.body).toMatch(new RegExp(`moved from entry \`${a.entryId}\` to entry \`${b.entryId}\``));
    const voters = Array.from({ length: 8 }, (_, i) => actor({ userId: `voter${i}` }));
    const replies = await Promise.all(voters.map((v) => h.core.handle(vote(b.entryId), v)));
    expect(replies.every((r) => r.message.tone === 'success')).toBe(true);
    await h.settle();
    // bob's first count goes out now; ada's entry was edited under 10 s ago: its new count waits
    expect(edits().map((e) => e.parts.body)).toEqual([expect.stringMatching(/<@ada> · 1 vote$/), expect.stringMatching(/<@bob> · \d+ votes?$/)]);
    h.timers.advance(10_000);
    await h.settle();
    const last = (who: string) => edits().filter((e) => e.parts.body?.includes(`<@${who}>`)).at(-1)!.parts.body;
    expect(last('ada')).toMatch(/0 votes$/);
    expect(last('bob')).toMatch(/9 votes$/);
    expect(await h.challenges.votesOf(b.entryId)).toBe(9);

    const board = await h.core.handle({ kind: 'challenge', op: 'leaderboard' }, cy);
    expect(board.message.body).toMatch(/🥇 <@bob> — 9 votes[\s\S]*🥈 <@ada> — 0 votes[\s\S]*equal votes go to the entry that came in first/);
  });

  it('ends early for moderators only and posts the winners with their pictures; lists open and past', async () => {
    const id = await started();
    const a = await enter(ada, 0);
    await enter(bob, 1);
    await h.core.handle(vote(a.entryId), cy);
    expect((await h.core.handle({ kind: 'challenge', op: 'end' }, ada)).message.body).toMatch(/Only moderators and admins/);
    const ended = await h.core.handle({ kind: 'challenge', op: 'end', challengeId: id }, actor({ userId: 'mo', isModerator: true }));
    expect(ended.message.tone).toBe('success');
    await h.settle();
    const closing = inThread(h.transport.delivered).find((c) => c.parts.title.startsWith('Challenge closed'))!;
    expect(closing.parts.title).toBe('Challenge closed: Great waves');
    expect(closing.parts.body).toMatch(/<@mo> ended it early[\s\S]*🥇 <@ada> — 1 vote[\s\S]*🥈 <@bob> — 0 votes/);
    expect(closing.files?.map((f) => f.name)).toEqual([expect.stringMatching(/^place-1-/), expect.stringMatching(/^place-2-/)]);
    expect((await h.core.handle(vote(a.entryId), bob)).message.body).toMatch(/closed/);
    // the entries show their final counts, without a Vote button
    const finalEdits = inThread(h.transport.delivered).filter((c) => c.op === 'edit' && c.parts.title.startsWith('Entry '));
    expect(finalEdits.slice(-2).map((c) => [c.parts.body, c.parts.actions])).toEqual(
      expect.arrayContaining([[expect.stringMatching(/<@ada> · 1 vote$/), undefined], [expect.stringMatching(/<@bob> · 0 votes$/), undefined]]),
    );
    const list = await h.core.handle({ kind: 'challenge', op: 'list' }, ada);
    expect(list.message.fields).toEqual([{ name: 'Past', value: expect.stringContaining('Great waves') }]);
  });
});

describe('/challenge closing across a restart', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('a deadline that passed while the bot was down is announced at start, in the challenge thread, with the winner', async () => {
    const clock = new FakeClock();
    const first = await startBot(tmp.dir, { clock });
    const reply = await first.core.handle(start('6h'), mod);
    await first.core.bindChallenge!(reply.challengeId!, THREAD);
    const sub = await first.core.handle(submit(), ada);
    await finishRun(first, 0);
    await first.events.waitFor('entered', (e) => e.entry.jobId === sub.jobId);
    await first.settle();
    first.timers.advance(5 * HOUR);
    await first.close();

    clock.advance(2 * HOUR);
    const second = await startBot(tmp.dir, { clock });
    try {
      await second.events.waitFor('closed');
      await second.settle();
      const closing = inThread(second.transport.delivered).filter((c) => c.parts.title.startsWith('Challenge closed'));
      expect(closing).toHaveLength(1);
      expect(closing[0]!.parts.body).toMatch(/The deadline has passed[\s\S]*🥇 <@ada>/);
      expect(closing[0]!.files).toHaveLength(1);
      expect((await second.challenges.get(reply.challengeId!))?.closedAt).toEqual(new Date(T0 + 7 * HOUR));
    } finally {
      await second.close();
    }
  });
});
