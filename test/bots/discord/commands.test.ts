import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommands, commandsJson, DISCORD_MAX_OPTIONS, slashDescriptors } from '../../../src/bots/discord/commands.js';
import { COMMANDS_FILE, deployCommands } from '../../../src/bots/discord/deploy.js';
import { descriptorsFor } from '../../../src/pipeline/descriptors.js';
import { FakeDiscord } from './fake/discord.js';

type Option = { name: string; description: string; type: number; required?: boolean; options?: Option[]; choices?: unknown[] };

describe('the slash commands', () => {
  it('commands/discord.json is what the option descriptors generate (run npm run commands:deploy after changing options)', () => {
    expect(readFileSync(COMMANDS_FILE, 'utf8')).toBe(commandsJson());
  });

  it('stay within Discord\'s limits: 25 options, names, descriptions, required first', () => {
    const check = (options: Option[] | undefined, where: string) => {
      expect(options?.length ?? 0, where).toBeLessThanOrEqual(DISCORD_MAX_OPTIONS);
      let optionalSeen = false;
      for (const option of options ?? []) {
        expect(option.name, where).toMatch(/^[-_\p{Ll}\p{N}]{1,32}$/u);
        expect(option.description.length, `${where} ${option.name}`).toBeGreaterThan(0);
        expect(option.description.length, `${where} ${option.name}`).toBeLessThanOrEqual(100);
        expect((option.choices ?? []).length).toBeLessThanOrEqual(25);
        if (option.type === 1) check(option.options, `${where} ${option.name}`);
        else if (option.required) expect(optionalSeen, `${where}: required ${option.name} after an optional one`).toBe(false);
        else optionalSeen = true;
      }
      expect(new Set((options ?? []).map((o) => o.name)).size, where).toBe(options?.length ?? 0);
    };
    for (const command of buildCommands()) {
      expect(command.description.length).toBeLessThanOrEqual(100);
      check(command.options as Option[], `/${command.name}`);
    }
  });

  it('/stylize has the two attachments, two more styles, the preset with autocomplete and every slash option of the descriptors', () => {
    const stylize = buildCommands().find((c) => c.name === 'stylize')!;
    const options = stylize.options as Option[];
    expect(options.slice(0, 5).map((o) => [o.name, o.type, o.required ?? false])).toEqual([
      ['content', 11, true],
      ['style', 11, true],
      ['style2', 11, false],
      ['style3', 11, false],
      ['preset', 3, false],
    ]);
    expect(options[4]).toMatchObject({ autocomplete: true });
    expect(options.slice(5).map((o) => o.name)).toEqual(descriptorsFor('slash').map((d) => d.names.chat));
    expect([...slashDescriptors().keys()]).toEqual(options.slice(5).map((o) => o.name));
  });

  it('/settings is shown to server managers only, and only in servers', () => {
    const settings = buildCommands().find((c) => c.name === 'settings')!;
    expect(settings.default_member_permissions).toBe(String(1n << 5n));
    expect(settings.contexts).toEqual([0]);
  });

  describe('deploy', () => {
    let fake: FakeDiscord;
    beforeAll(async () => {
      fake = await new FakeDiscord().start();
    });
    afterAll(async () => {
      await fake.close();
    });
    const discord = (guildId?: string) => ({ token: fake.token, applicationId: fake.applicationId, guildId, apiUrl: fake.apiUrl });

    it('registers globally without DISCORD_GUILD_ID and on one server with it', async () => {
      const logger = pino({ level: 'silent' });
      expect(await deployCommands(discord(), logger)).toEqual({ scope: 'global', count: buildCommands().length });
      expect(await deployCommands(discord('123456789012345678'), logger)).toEqual({ scope: 'guild', count: buildCommands().length });
      const puts = fake.log.filter((e) => e.kind === 'commands');
      expect(puts.map((e) => e.kind === 'commands' && e.guildId)).toEqual([null, '123456789012345678']);
      expect(fake.registeredCommands).toEqual(JSON.parse(commandsJson()));
    });

    it('fails with the status when the token is refused', async () => {
      await expect(deployCommands({ ...discord(), token: 'wrong' }, pino({ level: 'silent' }))).rejects.toMatchObject({ status: 401 });
    });
  });
});
