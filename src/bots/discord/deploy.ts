import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REST } from 'discord.js';
import { Routes } from 'discord-api-types/v10';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../config.js';
import { buildCommands, commandsJson } from './commands.js';
import { loggableError } from './errors.js';

/** commands/discord.json at the repository root */
export const COMMANDS_FILE = fileURLToPath(new URL('../../../commands/discord.json', import.meta.url));

/** Writes the generated definitions to the committed file. */
export async function writeCommandsFile(file = COMMANDS_FILE): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, commandsJson());
  return file;
}

/**
 * Registers the slash commands: to one server with DISCORD_GUILD_ID (instant, for trying out), else
 * globally (Discord may take a while to show changes everywhere). A PUT replaces the whole set, so
 * commands removed from the code disappear from Discord too.
 */
export async function deployCommands(discord: NonNullable<Config['discord']>, logger: Logger): Promise<{ scope: 'guild' | 'global'; count: number }> {
  const rest = new REST(discord.apiUrl === undefined ? {} : { api: discord.apiUrl }).setToken(discord.token);
  const route = discord.guildId === undefined ? Routes.applicationCommands(discord.applicationId) : Routes.applicationGuildCommands(discord.applicationId, discord.guildId);
  const commands = buildCommands();
  const saved = (await rest.put(route, { body: commands })) as unknown[];
  const scope = discord.guildId === undefined ? 'global' : 'guild';
  logger.info({ scope, guildId: discord.guildId, count: saved.length }, scope === 'guild' ? 'slash commands registered on the server' : 'slash commands registered globally');
  return { scope, count: saved.length };
}

async function main(): Promise<void> {
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const file = await writeCommandsFile();
  logger.info({ file }, 'slash command definitions written');
  const config = loadConfig();
  if (!config.discord) {
    logger.warn('DISCORD_TOKEN and DISCORD_APPLICATION_ID are not set: nothing registered');
    return;
  }
  try {
    await deployCommands(config.discord, logger);
  } catch (error) {
    logger.error({ err: loggableError(error) }, 'registering the slash commands failed');
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
