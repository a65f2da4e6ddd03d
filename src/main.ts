// The composition root of the bot process (`npm start`): the only place that creates clients and wires them.
import pino from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { openStore } from './store/index.js';

const HOW_TO_RUN = `Stylebot's chat adapters (Discord, Slack) arrive in a later release, so there is no bot to start yet.
The same engine runs from the command line today:

  npm run stylebot -- stylize --content photo.jpg --style painting.jpg --out result.png \\
      --gif progress.gif --plot losses.png [--size 256] [--steps 180] [--seed 1]

  npm run stylebot -- stylize --help     every option
  npm run stylebot -- weights download   fetch the VGG19 weights (80 MB) ahead of time

Set STYLEBOT_WEIGHTS to a VGG19 "notop" .h5 file to skip the download. See README.md and docs/cli.md.
`;

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix these variables (see .env.example) and start again.\n`);
      return 2;
    }
    throw error;
  }
  const logger = pino({ level: config.logLevel, base: { app: 'stylebot' }, redact: ['*.token', '*.secret', '*.password'] });
  // The database is created and migrated on first start, so the chat adapters find it ready.
  const store = await openStore({ databasePath: config.databasePath, logger });
  logger.info({ database: config.databasePath, migrations: store.migrations.applied.length }, 'storage ready');
  await store.close();
  process.stdout.write(HOW_TO_RUN);
  return 0;
}

process.exitCode = await main();
