import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { describeIssue, serverLimitsSchema, type ServerLimits } from './jobs/index.js';
import { sqlitePathFromUrl } from './store/index.js';

/** Empty variables (`FOO=` in a .env file) mean "not set", as they do for most tools. */
const unset = (value: unknown) => (value === '' ? undefined : value);
const integer = (min: number, max: number, fallback: number) => z.preprocess(unset, z.coerce.number().int().min(min).max(max).default(fallback));
/** A limit's range and default come from serverLimitsSchema, so the two cannot drift apart. */
const limit = <K extends keyof ServerLimits>(key: K) => {
  const shape = serverLimitsSchema.shape[key];
  return z.preprocess((v) => (v === '' || v === undefined ? undefined : Number(v)), shape).describe(shape.description ?? key);
};

/** Every environment variable Stylebot reads, with its default and meaning. .env.example mirrors this. */
export const envSchema = z.object({
  DATABASE_URL: z.preprocess(unset, z.string().default('file:./data/stylebot.db')).describe('SQLite file URL; relative paths start at the working directory'),
  STYLEBOT_DATA_DIR: z.preprocess(unset, z.string().default('./data')).describe('job inputs and results'),
  STYLEBOT_WEIGHTS: z.preprocess(unset, z.string().optional()).describe('a VGG19 notop .h5 file; unset: download once into the cache'),
  STYLEBOT_CACHE_DIR: z.preprocess(unset, z.string().optional()).describe('where downloaded weights go; unset: $XDG_CACHE_HOME/stylebot or ~/.cache/stylebot'),
  STYLEBOT_PROVIDER: z.preprocess(unset, z.enum(['auto', 'cpu', 'cuda', 'webgpu']).default('auto')).describe('ONNX Runtime execution provider'),
  STYLEBOT_THREADS: z.preprocess(unset, z.coerce.number().int().min(0).max(256).optional()).describe('CPU threads per engine; unset or 0: every core'),
  STYLEBOT_CONCURRENCY: integer(1, 64, 1).describe('jobs running at once on this machine (one engine each)'),
  STYLEBOT_WORKER_ID: z
    .preprocess(unset, z.string().max(100).regex(/^[\w.:@-]+$/, 'use letters, digits and . : @ _ -').optional())
    .describe('this process\'s name on the jobs it runs, kept across restarts; unset: host:pid:random. Two processes on one database need different ids'),
  STYLEBOT_RETENTION_DAYS: z.preprocess(unset, z.coerce.number().min(0).max(3650).default(7)).describe('days to keep pictures and results of ended jobs'),
  STYLEBOT_MAX_RUNNING_PER_USER: limit('maxRunningPerUser'),
  STYLEBOT_MAX_WAITING_PER_USER: limit('maxWaitingPerUser'),
  STYLEBOT_USER_HOURLY_SECONDS: limit('userHourlySeconds'),
  STYLEBOT_SERVER_HOURLY_SECONDS: limit('serverHourlySeconds'),
  STYLEBOT_MAX_SIZE: limit('maxSize'),
  STYLEBOT_MAX_STEPS: limit('maxSteps'),
  STYLEBOT_MAX_JOB_MEMORY: z
    .preprocess(unset, z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)?$/i, 'give bytes or a size such as 6GB').optional())
    .describe("the most memory one job may need (e.g. 6GB); unset: 60% of the machine's memory"),
  // --- Discord (all three of token, application id present: the Discord bot starts) ---
  DISCORD_TOKEN: z.preprocess(unset, z.string().optional()).describe('the bot token of the Discord application (secret)'),
  DISCORD_APPLICATION_ID: z.preprocess(unset, z.string().regex(/^\d+$/, 'must be the numeric application id').optional()).describe('the Discord application id'),
  DISCORD_GUILD_ID: z.preprocess(unset, z.string().regex(/^\d+$/, 'must be a numeric server id').optional()).describe('deploy commands to this server only (instant), instead of globally'),
  DISCORD_API_URL: z.preprocess(unset, z.url().optional()).describe('REST base of a Discord-compatible server (tests, proxies); unset: Discord itself'),
  // --- Slack (bot token and signing secret present: the Slack app starts) ---
  SLACK_BOT_TOKEN: z.preprocess(unset, z.string().optional()).describe('the xoxb- bot token (secret)'),
  SLACK_SIGNING_SECRET: z.preprocess(unset, z.string().optional()).describe('signs HTTP requests from Slack (secret)'),
  SLACK_APP_TOKEN: z.preprocess(unset, z.string().optional()).describe('xapp- token: set it to use Socket Mode instead of HTTP (secret)'),
  SLACK_API_URL: z.preprocess(unset, z.url().optional()).describe('base URL of a Slack-compatible Web API (tests, proxies); unset: Slack itself'),
  SLACK_CHALLENGE_GROUP: z.preprocess(unset, z.string().regex(/^S[A-Z0-9]+$/, 'is a Slack user group id (S…)').optional()).describe('user group whose members may start challenges, besides workspace admins'),
  PORT: integer(1, 65535, 3000).describe('HTTP port of the Slack app in HTTP mode'),
  // --- local web page (runs when no chat platform is configured, or when WEB_PORT is set) ---
  WEB_PORT: z.preprocess(unset, z.coerce.number().int().min(0).max(65535).optional()).describe('port of the local web page; default 3000 when no chat platform is configured'),
  WEB_HOST: z.preprocess(unset, z.string().default('127.0.0.1')).describe('address the web page binds to; anything but loopback requires WEB_TOKEN'),
  WEB_TOKEN: z.preprocess(unset, z.string().min(16, 'use at least 16 characters').optional()).describe('bearer token the web page requires (secret)'),
  LOG_LEVEL: z.preprocess(unset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')).describe('pino log level'),
});

export interface Config {
  readonly databaseUrl: string;
  /** absolute path of the SQLite file */
  readonly databasePath: string;
  /** absolute */
  readonly dataDir: string;
  readonly weightsFile: string | undefined;
  readonly cacheDir: string | undefined;
  readonly provider: 'auto' | 'cpu' | 'cuda' | 'webgpu';
  readonly threads: number | undefined;
  readonly concurrency: number;
  /**
   * the owner name on this process's job leases. Stable across restarts, a restarted process takes its own
   * running jobs back at once instead of waiting for their leases; undefined: a fresh name per start
   */
  readonly workerId: string | undefined;
  readonly retentionMs: number;
  /** the operator's limits: every server's defaults and ceilings */
  readonly limits: ServerLimits;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** the most memory one job may need, bytes */
  readonly maxJobMemoryBytes: number;
  /** present when DISCORD_TOKEN and DISCORD_APPLICATION_ID are set */
  readonly discord: { readonly token: string; readonly applicationId: string; readonly guildId: string | undefined; readonly apiUrl: string | undefined } | undefined;
  /** present when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set */
  readonly slack: { readonly botToken: string; readonly signingSecret: string; readonly appToken: string | undefined; readonly apiUrl: string | undefined; readonly port: number; readonly challengeGroup?: string | undefined } | undefined;
  /** present when no chat platform is configured, or WEB_PORT is set */
  readonly web: { readonly port: number; readonly host: string; readonly token: string | undefined } | undefined;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "6GB", "512 MiB", "1000000" -> bytes */
export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) throw new RangeError(`not a size: ${text}`);
  const unit = SIZE_UNITS[(match[2] || 'b').toLowerCase()];
  if (unit === undefined) throw new RangeError(`unknown unit in ${text}`);
  return Math.round(Number(match[1]) * unit);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ReadonlyArray<{ readonly variable: string; readonly message: string }>) {
    super(`The environment is not valid:\n${problems.map((p) => `• ${p.variable}: ${p.message}`).join('\n')}`);
  }
}

/** Reads and checks the whole environment once; every problem is reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      return { variable, message: describeIssue(issue, env[variable]) };
    }));
  }
  const e = parsed.data;
  let databasePath: string;
  try {
    databasePath = sqlitePathFromUrl(e.DATABASE_URL, cwd);
  } catch (error) {
    throw new ConfigError([{ variable: 'DATABASE_URL', message: (error as Error).message }]);
  }
  const problems: Array<{ variable: string; message: string }> = [];
  const pair = (a: string, av: string | undefined, b: string, bv: string | undefined) => {
    if ((av === undefined) !== (bv === undefined)) problems.push({ variable: av === undefined ? a : b, message: `is needed together with ${av === undefined ? b : a}` });
  };
  pair('DISCORD_TOKEN', e.DISCORD_TOKEN, 'DISCORD_APPLICATION_ID', e.DISCORD_APPLICATION_ID);
  pair('SLACK_BOT_TOKEN', e.SLACK_BOT_TOKEN, 'SLACK_SIGNING_SECRET', e.SLACK_SIGNING_SECRET);
  const discord = e.DISCORD_TOKEN !== undefined && e.DISCORD_APPLICATION_ID !== undefined
    ? { token: e.DISCORD_TOKEN, applicationId: e.DISCORD_APPLICATION_ID, guildId: e.DISCORD_GUILD_ID, apiUrl: e.DISCORD_API_URL }
    : undefined;
  const slack = e.SLACK_BOT_TOKEN !== undefined && e.SLACK_SIGNING_SECRET !== undefined
    ? { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL, port: e.PORT, challengeGroup: e.SLACK_CHALLENGE_GROUP }
    : undefined;
  const web = discord === undefined && slack === undefined || e.WEB_PORT !== undefined
    ? { port: e.WEB_PORT ?? 3000, host: e.WEB_HOST, token: e.WEB_TOKEN }
    : undefined;
  // anyone who reaches a page bound beyond loopback could spend the machine's compute
  if (web && !LOOPBACK.has(web.host) && web.token === undefined) problems.push({ variable: 'WEB_TOKEN', message: `is required when WEB_HOST is ${web.host} (not loopback)` });
  if (slack && web && slack.port === web.port) problems.push({ variable: 'WEB_PORT', message: `is the same port as the Slack app's PORT (${slack.port})` });
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl: e.DATABASE_URL,
    databasePath,
    dataDir: path.resolve(cwd, e.STYLEBOT_DATA_DIR),
    weightsFile: e.STYLEBOT_WEIGHTS === undefined ? undefined : path.resolve(cwd, e.STYLEBOT_WEIGHTS),
    cacheDir: e.STYLEBOT_CACHE_DIR === undefined ? undefined : path.resolve(cwd, e.STYLEBOT_CACHE_DIR),
    provider: e.STYLEBOT_PROVIDER,
    threads: e.STYLEBOT_THREADS,
    concurrency: e.STYLEBOT_CONCURRENCY,
    workerId: e.STYLEBOT_WORKER_ID,
    retentionMs: e.STYLEBOT_RETENTION_DAYS * 24 * 3600 * 1000,
    limits: {
      // unset: the server may use every worker slot
      maxConcurrent: e.STYLEBOT_CONCURRENCY,
      maxRunningPerUser: e.STYLEBOT_MAX_RUNNING_PER_USER,
      maxWaitingPerUser: e.STYLEBOT_MAX_WAITING_PER_USER,
      userHourlySeconds: e.STYLEBOT_USER_HOURLY_SECONDS,
      serverHourlySeconds: e.STYLEBOT_SERVER_HOURLY_SECONDS,
      maxSize: e.STYLEBOT_MAX_SIZE,
      maxSteps: e.STYLEBOT_MAX_STEPS,
      maxJobMemoryBytes: e.STYLEBOT_MAX_JOB_MEMORY === undefined ? Math.round(os.totalmem() * 0.6) : parseByteSize(e.STYLEBOT_MAX_JOB_MEMORY),
    },
    logLevel: e.LOG_LEVEL,
    maxJobMemoryBytes: e.STYLEBOT_MAX_JOB_MEMORY === undefined ? Math.round(os.totalmem() * 0.6) : parseByteSize(e.STYLEBOT_MAX_JOB_MEMORY),
    discord,
    slack,
    web,
  };
}
