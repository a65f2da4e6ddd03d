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
  STYLEBOT_PROVIDER: z.preprocess(unset, z.enum(['auto', 'cpu', 'cuda']).default('auto')).describe('ONNX Runtime execution provider'),
  STYLEBOT_THREADS: z.preprocess(unset, z.coerce.number().int().min(0).max(256).optional()).describe('CPU threads per engine; unset or 0: every core'),
  STYLEBOT_CONCURRENCY: integer(1, 64, 1).describe('jobs running at once on this machine (one engine each)'),
  STYLEBOT_RETENTION_DAYS: z.preprocess(unset, z.coerce.number().min(0).max(3650).default(7)).describe('days to keep pictures and results of ended jobs'),
  STYLEBOT_MAX_RUNNING_PER_USER: limit('maxRunningPerUser'),
  STYLEBOT_MAX_WAITING_PER_USER: limit('maxWaitingPerUser'),
  STYLEBOT_USER_HOURLY_SECONDS: limit('userHourlySeconds'),
  STYLEBOT_SERVER_HOURLY_SECONDS: limit('serverHourlySeconds'),
  STYLEBOT_MAX_SIZE: limit('maxSize'),
  STYLEBOT_MAX_STEPS: limit('maxSteps'),
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
  readonly provider: 'auto' | 'cpu' | 'cuda';
  readonly threads: number | undefined;
  readonly concurrency: number;
  readonly retentionMs: number;
  /** the operator's limits: every server's defaults and ceilings */
  readonly limits: ServerLimits;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

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
  return {
    databaseUrl: e.DATABASE_URL,
    databasePath,
    dataDir: path.resolve(cwd, e.STYLEBOT_DATA_DIR),
    weightsFile: e.STYLEBOT_WEIGHTS === undefined ? undefined : path.resolve(cwd, e.STYLEBOT_WEIGHTS),
    cacheDir: e.STYLEBOT_CACHE_DIR === undefined ? undefined : path.resolve(cwd, e.STYLEBOT_CACHE_DIR),
    provider: e.STYLEBOT_PROVIDER,
    threads: e.STYLEBOT_THREADS,
    concurrency: e.STYLEBOT_CONCURRENCY,
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
    },
    logLevel: e.LOG_LEVEL,
  };
}
