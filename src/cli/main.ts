#!/usr/bin/env node
// The command line's composition root: the only place that touches process, creates the logger and the engine.
import pino from 'pino';
import { Engine, resolveWeightsFile, type ProviderChoice } from '../engine/index.js';
import { run } from './run.js';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
// Structured logs go to stderr beside the progress bar, so the default shows only what went wrong.
const level = LEVELS.has(process.env.LOG_LEVEL ?? '') ? process.env.LOG_LEVEL! : 'warn';
const logger = pino({ level, base: { app: 'stylebot-cli' } }, pino.destination(2));

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nStopping after the current step (Ctrl-C again to quit at once)…\n');
  controller.abort();
  process.once('SIGINT', () => process.exit(130));
});

process.exitCode = await run(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), signal: controller.signal },
  {
    logger,
    resolveWeights: resolveWeightsFile,
    createEngine: (weightsFile) =>
      Engine.create({ weightsFile, provider: providerFromEnv(), threads: Number(process.env.STYLEBOT_THREADS) || undefined }),
  },
);

// The CLI reads the two engine variables itself: src/config.ts would pull in the store and Prisma.
function providerFromEnv(): ProviderChoice {
  const value = process.env.STYLEBOT_PROVIDER;
  return value === 'cpu' || value === 'cuda' ? value : 'auto';
}
