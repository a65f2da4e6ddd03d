import { Client, GatewayIntentBits, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDiscord } from './fake/discord.js';

describe('the fake Discord with the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client;
  beforeAll(async () => {
    fake = await new FakeDiscord({ commands: [{ name: 'ping', options: [{ name: 'text', type: 3 }] }] }).start();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    client.on('interactionCreate', async (interaction) => {
      if (!interaction.isChatInputCommand()) return;
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.editReply({ content: `pong ${interaction.options.getString('text')}` });
    });
    const ready = new Promise((resolve) => client.once('clientReady', resolve));
    await client.login(fake.token);
    await ready;
  });
  afterAll(async () => {
    await client.destroy();
    await fake.close();
  });

  it('logs in, dispatches an interaction and takes the deferred reply', async () => {
    const i = fake.slash('ping', { text: 'hi' }, { user: { id: '1', username: 'ada' } });
    const ack = await fake.acknowledged(i);
    expect(ack.type).toBe(5);
    const m = await fake.message((m) => m.interactionId === i.id && m.content === 'pong hi');
    expect(m.flags & 64).toBe(64);
  });

  it('resumes after a dropped socket and delivers what was dispatched meanwhile', async () => {
    let i: ReturnType<typeof fake.slash> | undefined;
    await fake.dropSocket(() => (i = fake.slash('ping', { text: 'again' }, { user: { id: '1', username: 'ada' } })));
    await fake.message((m) => m.interactionId === i!.id && m.content === 'pong again');
  });
});
