import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChallengeError, parseDuration, type ChallengeRecord } from '../../src/challenges/index.js';
import { FakeClock, picture, T0 } from '../jobs/support.js';
import { tempDir } from '../store/support.js';
import { admin, finishRun, member, startChallenges, STYLE, type ChallengeHarness } from './support.js';

const HOUR = 3_600_000;

async function refused(promise: Promise<unknown>): Promise<ChallengeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ChallengeError) return error;
    throw error;
  }
  throw new Error('expected a ChallengeError, but the request was accepted');
}

describe('challenge service on a real SQLite file', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: ChallengeHarness;
  let challenge: ChallengeRecord;

  beforeEach(async () => {
    tmp = tempDir();
    h = await startChallenges(tmp.dir);
    challenge = await h.challenges.startChallenge({ ...admin(), channelId: 'channel-1', title: ' Waves ', duration: '2d', style: STYLE, options: { size: 64, steps: 10 } });
  });
  afterEach(async () => {
    await h.close();
    tmp.cleanup();
  });

  const submit = (userId: string) => h.challenges.submit({ ...member(userId), channelId: 'channel-1', content: picture(userId) });
  async function enter(userId: string, runIndex: number) {
    const outcome = await submit(userId);
    await finishRun(h, runIndex);
    await h.events.waitFor('entered', (e) => e.entry.jobId === outcome.job.job.id);
    return outcome;
  }

  it('starts only for admins, with a readable duration, and locks the resolved settings', async () => {
    expect((await refused(h.challenges.startChallenge({ ...member('ada'), channelId: 'c', title: 'x', duration: '1d', style: STYLE }))).code).toBe('NOT_ADMIN');
    expect((await refused(h.challenges.startChallenge({ ...admin(), channelId: 'c', title: 'x', duration: 'soon', style: STYLE }))).details).toMatchObject({ code: 'BAD_DURATION', text: 'soon' });
    expect((await refused(h.challenges.startChallenge({ ...admin(), channelId: 'c', title: '  ', duration: '1d', style: STYLE }))).code).toBe('BAD_TITLE');

    expect(challenge).toMatchObject({ title: 'Waves', status: 'open', createdBy: 'mod', closesAt: new Date(T0 + 48 * HOUR), styleType: 'image/jpeg' });
    expect(Buffer.from(challenge.styleImage).toString()).toBe('the style picture');
    expect(challenge.options).toMatchObject({ size: 64, steps: 10 });
    // defaults changed after the start do not reach the entries: they run with the locked options
    await h.jobs.service.settings.update({ platform: 'discord', serverId: 'guild-1', isAdmin: true, defaults: { size: 128, steps: 20 } });
    await h.jobs.service.presets.save({ platform: 'discord', userId: 'ada' }, 'big', { size: 256 });
    await h.jobs.service.presets.setDefault({ platform: 'discord', userId: 'ada' }, 'big');
    await submit('ada');
    const run = await h.jobs.fake.run(0);
    expect(run.job.options).toEqual(challenge.options);
    expect(run.job.styles.map((s) => Buffer.from(s).toString())).toEqual(['the style picture']);
  });

  it('parses durations as moderators type them', () => {
    expect(parseDuration('2d')).toBe(48 * HOUR);
    expect(parseDuration('6h')).toBe(6 * HOUR);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('1d 12h')).toBe(36 * HOUR);
    for (const bad of ['', '0m', '2', 'd', '-1d', '61d', '1.5h']) expect(() => parseDuration(bad), bad).toThrow(ChallengeError);
  });

  it('records an entry when its job finishes; a second submission replaces it and drops its votes, and says so first', async () => {
    const first = await enter('ada', 0);
    expect(first.replaces).toBeNull();
    const [entered] = h.events.of('entered');
    expect(entered).toMatchObject({ entry: { userId: 'ada', status: 'entered', jobId: first.job.job.id }, replaced: null });

    await enter('bob', 1);
    await h.challenges.vote(member('bob'), first.entry.id);
    await h.challenges.vote(member('cy'), first.entry.id);
    expect(await h.challenges.votesOf(first.entry.id)).toBe(2);

    const second = await submit('ada');
    expect(second.replaces).toMatchObject({ entry: { id: first.entry.id }, votes: 2 });
    // until the new job is done, the old entry stands with its votes
    expect(await h.challenges.votesOf(first.entry.id)).toBe(2);
    await finishRun(h, 2);
    const replaced = await h.events.waitFor('entered', (e) => e.entry.id === second.entry.id);
    expect(replaced.replaced).toMatchObject({ entry: { id: first.entry.id, status: 'replaced' }, droppedVotes: 2 });
    expect(await h.challenges.votesOf(first.entry.id)).toBe(0);
    expect((await h.challenges.leaderboard(member('ada'))).standings.map((s) => s.entry.userId).sort()).toEqual(['ada', 'bob']);
    // a vote for the replaced entry is refused
    expect((await refused(h.challenges.vote(member('cy'), first.entry.id))).code).toBe('ENTRY_NOT_CURRENT');
  });

  it('keeps the earlier entry when a later submission fails', async () => {
    const first = await enter('ada', 0);
    const second = await submit('ada');
    (await h.jobs.fake.run(1)).fail(new Error('boom'));
    const failed = await h.events.waitFor('notEntered');
    expect(failed).toMatchObject({ reason: 'failed', entry: { id: second.entry.id, status: 'failed' } });
    expect((await h.challenges.leaderboard(member('x'))).standings.map((s) => s.entry.id)).toEqual([first.entry.id]);
  });

  it('two submissions of one member at once leave exactly one entry: the newer', async () => {
    const [a, b] = await Promise.all([submit('ada'), submit('ada')]);
    const older = a.job.job.createdAt < b.job.job.createdAt ? a : b;
    const newer = older === a ? b : a;
    // one worker slot: the older runs first
    await finishRun(h, 0);
    await finishRun(h, 1);
    await h.events.waitFor('entered', (e) => e.entry.id === newer.entry.id);
    const board = await h.challenges.leaderboard(member('x'));
    expect(board.standings.map((s) => s.entry.id)).toEqual([newer.entry.id]);
    expect((await h.challenges.getEntry(older.entry.id))?.status).toBe('replaced');
  });

  it('an older submission finishing after a newer one was entered does not replace it', async () => {
    const older = await submit('ada');
    const newer = await submit('ada');
    const store = h.jobs.store.challenges;
    expect(await store.recordFinished(newer.job.job.id, new Date(T0))).toMatchObject({ kind: 'entered', replaced: null });
    expect(await store.recordFinished(older.job.job.id, new Date(T0))).toMatchObject({ kind: 'superseded', entry: { id: older.entry.id, status: 'replaced' } });
    expect(await store.recordFinished(older.job.job.id, new Date(T0))).toEqual({ kind: 'none' });
    expect((await store.currentEntry(challenge.id, 'ada'))?.id).toBe(newer.entry.id);
  });

  it('the unique key keeps one entry per member even when two finishes are recorded at once', async () => {
    const [a, b] = await Promise.all([submit('ada'), submit('ada')]);
    const outcomes = await Promise.all([h.jobs.store.challenges.recordFinished(a.job.job.id, new Date(T0)), h.jobs.store.challenges.recordFinished(b.job.job.id, new Date(T0))]);
    // the newer is entered whichever is recorded first; the older either replaced it never or was replaced
    expect(outcomes.map((o) => o.kind)).toContain('entered');
    for (const o of outcomes) expect(['entered', 'superseded']).toContain(o.kind);
    const current = await h.jobs.store.challenges.currentEntry(challenge.id, 'ada');
    expect(current?.id).toBe((a.job.job.createdAt > b.job.job.createdAt ? a : b).entry.id);
    expect((await h.jobs.store.challenges.leaderboard(challenge.id)).length).toBe(1);
  });

  it('votes: not for one\'s own entry, one per member, changeable, and counted right when cast at once', async () => {
    const ada = await enter('ada', 0);
    const bob = await enter('bob', 1);
    expect((await refused(h.challenges.vote(member('ada'), ada.entry.id))).code).toBe('OWN_ENTRY');
    expect((await refused(h.challenges.vote(member('ada'), 'nosuchentry'))).code).toBe('ENTRY_NOT_FOUND');
    expect((await refused(h.challenges.vote({ ...member('eve'), serverId: 'guild-2' }, ada.entry.id))).code).toBe('ENTRY_NOT_FOUND');

    expect(await h.challenges.vote(member('cy'), ada.entry.id)).toMatchObject({ previousEntryId: null, unchanged: false });
    expect(await h.challenges.vote(member('cy'), ada.entry.id)).toMatchObject({ unchanged: true });
    expect(await h.challenges.vote(member('cy'), bob.entry.id)).toMatchObject({ previousEntryId: ada.entry.id, unchanged: false });
    expect([await h.challenges.votesOf(ada.entry.id), await h.challenges.votesOf(bob.entry.id)]).toEqual([0, 1]);
    expect(await h.challenges.voteOf(challenge.id, 'cy')).toBe(bob.entry.id);

    // one member voting twice at once ends with one vote; many members at once are all counted
    await Promise.all([h.challenges.vote(member('dee'), ada.entry.id), h.challenges.vote(member('dee'), bob.entry.id)]);
    const voters = Array.from({ length: 12 }, (_, i) => `voter${i}`);
    await Promise.all(voters.map((v) => h.challenges.vote(member(v), ada.entry.id)));
    const dee = await h.challenges.voteOf(challenge.id, 'dee');
    expect([ada.entry.id, bob.entry.id]).toContain(dee);
    const counts = [await h.challenges.votesOf(ada.entry.id), await h.challenges.votesOf(bob.entry.id)];
    expect(counts[0]! + counts[1]!).toBe(12 + 2);
    expect(counts[0]).toBe(12 + (dee === ada.entry.id ? 1 : 0));
  });

  it('leaderboard: most votes first, ties to the earlier entry', async () => {
    const ada = await enter('ada', 0);
    h.jobs.clock.advance(1000);
    const bob = await enter('bob', 1);
    h.jobs.clock.advance(1000);
    const cy = await enter('cy', 2);
    await h.challenges.vote(member('v1'), cy.entry.id);
    await h.challenges.vote(member('v2'), cy.entry.id);
    await h.challenges.vote(member('v3'), bob.entry.id);
    await h.challenges.vote(member('v4'), ada.entry.id);
    const board = await h.challenges.leaderboard(member('v1'));
    expect(board.standings.map((s) => [s.place, s.entry.userId, s.votes])).toEqual([
      [1, 'cy', 2],
      [2, 'ada', 1],
      [3, 'bob', 1],
    ]);
  });

  it('ends early for moderators only, names the winners, and refuses entries and votes afterwards', async () => {
    const ada = await enter('ada', 0);
    const bob = await enter('bob', 1);
    await h.challenges.vote(member('cy'), bob.entry.id);
    expect((await refused(h.challenges.end(member('ada'), challenge.id))).code).toBe('NOT_MODERATOR');
    const ended = await h.challenges.end({ ...member('mo'), isModerator: true });
    expect(ended.winners.map((w) => [w.entry.id, w.votes, w.entry.place])).toEqual([
      [bob.entry.id, 1, 1],
      [ada.entry.id, 0, 2],
    ]);
    expect(h.events.of('closed')).toMatchObject([{ by: 'mo', challenge: { status: 'closed', closedBy: 'mo' } }]);
    expect((await refused(h.challenges.end(admin(), challenge.id))).code).toBe('CHALLENGE_CLOSED');
    expect((await refused(h.challenges.vote(member('dee'), ada.entry.id))).code).toBe('CHALLENGE_CLOSED');
    expect((await refused(h.challenges.submit({ ...member('dee'), challengeId: challenge.id, channelId: 'channel-1', content: picture() }))).code).toBe('CHALLENGE_CLOSED');
    // the timer was disarmed: the deadline passing later announces nothing twice
    h.timers.advance(49 * HOUR);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.events.of('closed')).toHaveLength(1);
    expect(await h.challenges.list({ platform: 'discord', serverId: 'guild-1' })).toMatchObject({ open: [], past: [{ id: challenge.id }] });
  });

  it('finds the challenge a command means: the only open one, this channel\'s, or asks which', async () => {
    const second = await h.challenges.startChallenge({ ...admin(), channelId: 'channel-2', title: 'Ink', duration: '6h', style: STYLE, options: { size: 64, steps: 10 } });
    expect((await refused(h.challenges.submit({ ...member('ada'), channelId: 'channel-9', content: picture() }))).details).toMatchObject({ code: 'WHICH_CHALLENGE' });
    const here = await h.challenges.submit({ ...member('ada'), channelId: 'channel-2', content: picture() });
    expect(here.challenge.id).toBe(second.id);
    expect((await refused(h.challenges.submit({ ...member('ada'), challengeId: 'zzzzzzzz', channelId: 'channel-2', content: picture() }))).code).toBe('CHALLENGE_NOT_FOUND');
    expect((await h.challenges.list({ platform: 'discord', serverId: 'guild-1' })).open.map((c) => c.id)).toEqual([second.id, challenge.id]);
  });

  it('retention keeps the files of entries of open challenges and of winners, and purges the rest', async () => {
    const ada = await enter('ada', 0);
    const bob = await enter('bob', 1);
    const cy = await enter('cy', 2);
    const dee = await enter('dee', 3);
    const replacedAda = ada;
    const ada2 = await enter('ada', 4); // replaces ada's first entry: that one is no longer protected
    await h.challenges.vote(member('v'), bob.entry.id);
    h.jobs.clock.advance(8 * 24 * HOUR); // past the 7-day retention, and past the deadline
    expect(await h.jobs.service.purgeExpired()).toMatchObject({ jobs: 0 + 1 });
    expect((await h.jobs.store.jobs.get(replacedAda.job.job.id))?.filesPurgedAt).not.toBeNull();
    // closing keeps the top three only
    h.timers.advance(0);
    await h.events.waitFor('closed');
    const places = (await h.challenges.winners(challenge.id)).map((w) => w.entry.id);
    expect(places).toHaveLength(3);
    await h.jobs.service.purgeExpired();
    for (const o of [ada2, bob, cy, dee]) {
      const purged = (await h.jobs.store.jobs.get(o.job.job.id))?.filesPurgedAt !== null;
      expect(purged, o.entry.userId).toBe(!places.includes(o.entry.id));
    }
  });
});

describe('challenge deadlines across restarts', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('closes by itself at the deadline, with the winners', async () => {
    const h = await startChallenges(tmp.dir);
    try {
      const c = await h.challenges.startChallenge({ ...admin(), channelId: 'channel-1', title: 'Waves', duration: '90m', style: STYLE, options: { size: 64, steps: 10 } });
      const entry = await h.challenges.submit({ ...member('ada'), channelId: 'channel-1', content: picture() });
      await finishRun(h, 0);
      await h.events.waitFor('entered');
      h.timers.advance(89 * 60_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(h.events.of('closed')).toHaveLength(0);
      h.timers.advance(60_000);
      const closed = await h.events.waitFor('closed');
      expect(closed).toMatchObject({ by: null, challenge: { id: c.id, status: 'closed', closedAt: new Date(T0 + 90 * 60_000) } });
      expect(closed.winners.map((w) => w.entry.id)).toEqual([entry.entry.id]);
    } finally {
      await h.close();
    }
  });

  it('a deadline that passed while the bot was down closes at start; one still ahead is re-armed', async () => {
    const clock = new FakeClock();
    const first = await startChallenges(tmp.dir, { clock });
    const soon = await first.challenges.startChallenge({ ...admin(), channelId: 'channel-1', title: 'Soon', duration: '1h', style: STYLE, options: { size: 64, steps: 10 } });
    const later = await first.challenges.startChallenge({ ...admin(), channelId: 'channel-2', title: 'Later', duration: '1d', style: STYLE, options: { size: 64, steps: 10 } });
    const entry = await first.challenges.submit({ ...member('ada'), challengeId: soon.id, channelId: 'channel-1', content: picture() });
    await finishRun(first, 0);
    await first.events.waitFor('entered');
    await first.close();

    clock.advance(2 * HOUR); // the bot was down over the first deadline
    const second = await startChallenges(tmp.dir, { clock });
    try {
      const closed = await second.events.waitFor('closed');
      expect(closed).toMatchObject({ by: null, challenge: { id: soon.id, status: 'closed' } });
      expect(closed.winners.map((w) => w.entry.id)).toEqual([entry.entry.id]);
      expect((await second.challenges.get(later.id))?.status).toBe('open');
      second.timers.advance(22 * HOUR - 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(second.events.of('closed')).toHaveLength(1);
      second.timers.advance(1);
      await second.events.waitFor('closed', (e) => e.challenge.id === later.id);
    } finally {
      await second.close();
    }
  });

  it('a submission whose job finished while nobody listened is recorded at start', async () => {
    const clock = new FakeClock();
    const first = await startChallenges(tmp.dir, { clock });
    const c = await first.challenges.startChallenge({ ...admin(), channelId: 'channel-1', title: 'Waves', duration: '1d', style: STYLE, options: { size: 64, steps: 10 } });
    // the job ends, but the challenge service is gone before it hears of it
    first.challenges.close();
    const entry = await first.jobs.store.challenges.createEntry({ id: 'orphan01', challengeId: c.id, userId: 'ada', jobId: 'nosuchjob', createdAt: new Date(clock.now()) });
    const sub = await first.jobs.service.submit({ platform: 'discord', serverId: 'guild-1', channelId: 'channel-1', userId: 'bob', content: picture(), styles: [picture()], options: { size: 64, steps: 10 } });
    await first.jobs.store.challenges.createEntry({ id: 'pending1', challengeId: c.id, userId: 'bob', jobId: sub.job.id, createdAt: sub.job.createdAt });
    await finishRun(first, 0);
    await first.jobs.events.waitFor('finished');
    await first.jobs.close();

    const second = await startChallenges(tmp.dir, { clock });
    try {
      expect((await second.challenges.getEntry('pending1'))?.status).toBe('entered');
      expect((await second.challenges.getEntry(entry.id))?.status).toBe('failed');
    } finally {
      await second.close();
    }
  });
});
