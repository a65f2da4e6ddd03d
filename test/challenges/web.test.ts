import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Command } from '../../src/bots/shared/index.js';
import { actor, WAVE } from '../bots/shared/support.js';
import { startWeb } from '../bots/web/harness.js';
import { tempDir } from '../store/support.js';
import { startBot, type BotHarness } from './support.js';

const start = (title: string, serverId: string, platform: 'discord' | 'slack'): [Command, ReturnType<typeof actor>] => [
  { kind: 'challenge', op: 'start', style: WAVE(), title, duration: '2d', options: { size: '64', steps: '10' }, replyRef: { channel: 'channel-1' } },
  actor({ platform, serverId, userId: 'mod', isAdmin: true, isModerator: true }),
];

/** The page's read-only challenge list, over HTTP on 127.0.0.1, through the real core and the challenge service on SQLite. */
describe('GET /api/challenges on the local web page', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: BotHarness;
  let web: Awaited<ReturnType<typeof startWeb>>;
  beforeEach(async () => {
    tmp = tempDir();
    h = await startBot(tmp.dir);
    web = await startWeb(h.core);
  });
  afterEach(async () => {
    await web.stop();
    await h.close();
    tmp.cleanup();
  });

  const list = async () => {
    const response = await fetch(new URL('/api/challenges', web.url));
    expect(response.status).toBe(200);
    return ((await response.json()) as { reply: { visibility: string; message: { title: string; body?: string; fields?: Array<{ name: string; value: string }> } } }).reply;
  };

  it('says there are none, then lists every server\'s open and past challenges with where they run', async () => {
    expect((await list()).message.body).toMatch(/No challenges yet.*Discord or Slack/);

    const waves = await h.core.handle(...start('Great waves', 'guild-1', 'discord'));
    await h.core.handle(...start('Starry nights', 'T0TEAM', 'slack'));
    await h.challenges.end({ platform: 'discord', serverId: 'guild-1', userId: 'mod', isAdmin: true }, waves.challengeId);

    const reply = await list();
    expect(reply.message.title).toBe('Challenges');
    expect(reply.message.fields).toEqual([
      { name: 'Open', value: expect.stringMatching(/^`[^`]+` \*\*Starry nights\*\* \(Slack server `T0TEAM`\) — closes .*\(in 48 hours\)$/) },
      { name: 'Past', value: expect.stringMatching(new RegExp(`^\`${waves.challengeId}\` \\*\\*Great waves\\*\\* \\(Discord server \`guild-1\`\\) — closed `)) },
    ]);
    // a member on Discord still sees only their server's
    const discord = await h.core.handle({ kind: 'challenge', op: 'list' }, actor());
    expect(JSON.stringify(discord.message.fields)).not.toMatch(/Starry nights|server `/);
  });

  it('the page has a Challenges section that asks this route', async () => {
    const page = await (await fetch(web.url)).text();
    expect(page).toMatch(/<section id="challenges"[\s\S]*id="list-challenges"[\s\S]*id="challenge-message"/);
    expect(await (await fetch(new URL('/app.js', web.url))).text()).toContain("api('/api/challenges')");
  });
});
