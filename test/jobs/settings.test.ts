import { describe, expect, it } from 'vitest';
import { OPERATOR_LIMITS, harnessPerTest, refusalText, submission, type Harness } from './support.js';

const server = { platform: 'discord', serverId: 'guild-1' };

describe('server settings', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness));

  it('starts from the operator\'s limits, lets an admin tighten them and reset them', async () => {
    expect(await h.service.settings.get(server)).toMatchObject({ limits: OPERATOR_LIMITS, defaults: {} });
    const updated = await h.service.settings.update({ ...server, isAdmin: true, limits: { maxWaitingPerUser: 0, maxSize: 128 }, defaults: { steps: 50 } });
    expect(updated.limits).toEqual({ ...OPERATOR_LIMITS, maxWaitingPerUser: 0, maxSize: 128 });
    expect(updated.own).toMatchObject({ maxWaitingPerUser: 0, maxSize: 128, maxSteps: null });
    expect(updated.defaults).toEqual({ steps: 50 });
    expect((await h.service.settings.get({ ...server, serverId: 'guild-2' })).limits).toEqual(OPERATOR_LIMITS);

    await h.service.submit(submission('alice'));
    await h.events.waitFor('started');
    // no waiting allowed: a job is taken only when it can start at once
    expect(await refusalText(h.service.submit(submission('bob')))).toBe('This server takes jobs only when the worker is free, and it is busy: try again in a few minutes.');

    const reset = await h.service.settings.update({ ...server, isAdmin: true, limits: { maxWaitingPerUser: null }, defaults: null });
    expect(reset.limits.maxWaitingPerUser).toBe(OPERATOR_LIMITS.maxWaitingPerUser);
    expect(reset.limits.maxSize).toBe(128);
    expect(reset.defaults).toEqual({});
  });

  it('refuses non-admins, values out of range and values above the operator\'s', async () => {
    expect(await refusalText(h.service.settings.update({ ...server, isAdmin: false, limits: { maxSize: 64 } }))).toBe("Only a server admin can change this server's settings.");
    expect(await refusalText(h.service.settings.update({ ...server, isAdmin: true, limits: { maxSize: 8, userHourlySeconds: 999_999, bogus: 1 } as never }))).toBe(
      [
        'The server limits has options that are not valid:',
        '• maxSize: must be at least 16 (got 8)',
        `• userHourlySeconds: can be at most ${OPERATOR_LIMITS.userHourlySeconds} on this bot (got 999999)`,
        '• bogus: is not a limit (known: maxConcurrent, maxRunningPerUser, maxWaitingPerUser, userHourlySeconds, serverHourlySeconds, maxSize, maxSteps, maxJobMemoryBytes)',
      ].join('\n'),
    );
    await expect(h.service.settings.update({ ...server, isAdmin: true, defaults: { size: 0 } })).rejects.toMatchObject({ code: 'INVALID_OPTIONS', details: { source: 'server defaults' } });
  });
});
