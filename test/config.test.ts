import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DEFAULT_SERVER_LIMITS } from '../src/jobs/index.js';

describe('loadConfig', () => {
  it('defaults to a SQLite file and data folder under ./data, resolved from the working directory', () => {
    const config = loadConfig({}, '/srv/bot');
    expect(config).toEqual({
      databaseUrl: 'file:./data/stylebot.db',
      databasePath: path.resolve('/srv/bot/data/stylebot.db'),
      dataDir: path.resolve('/srv/bot/data'),
      weightsFile: undefined,
      cacheDir: undefined,
      provider: 'auto',
      threads: undefined,
      concurrency: 1,
      workerId: undefined,
      retentionMs: 7 * 24 * 3600 * 1000,
      limits: { ...DEFAULT_SERVER_LIMITS, maxConcurrent: 1 },
      logLevel: 'info',
      maxJobMemoryBytes: Math.round(os.totalmem() * 0.6),
      discord: undefined,
      slack: undefined,
      // no chat platform configured: the local page is the main job
      web: { port: 3000, host: '127.0.0.1', token: undefined },
    });
  });

  it('starts the platforms whose settings are present, and the page only when asked then', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'discord-secret',
      DISCORD_APPLICATION_ID: '123',
      SLACK_BOT_TOKEN: 'xoxb-secret',
      SLACK_SIGNING_SECRET: 'signing-secret',
      PORT: '3100',
      STYLEBOT_MAX_JOB_MEMORY: '6GB',
    });
    expect(config.discord).toEqual({ token: 'discord-secret', applicationId: '123', guildId: undefined, apiUrl: undefined });
    expect(config.slack).toMatchObject({ botToken: 'xoxb-secret', signingSecret: 'signing-secret', port: 3100, appToken: undefined });
    expect(config.web).toBeUndefined();
    expect(config.maxJobMemoryBytes).toBe(6e9);
    expect(loadConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1', WEB_PORT: '8080' }).web).toEqual({ port: 8080, host: '127.0.0.1', token: undefined });
  });

  it('refuses half a platform, a page open to the network without a token, and a port used twice', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ DISCORD_TOKEN: 'secret-token', SLACK_BOT_TOKEN: 'x', SLACK_SIGNING_SECRET: 'y', WEB_PORT: '3000', WEB_HOST: '0.0.0.0' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.variable)).toEqual(['DISCORD_APPLICATION_ID', 'WEB_TOKEN', 'WEB_PORT']);
    // a secret is never echoed back
    expect(error!.message).not.toContain('secret-token');
  });

  it('reads every setting, treating empty variables as unset', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'file:/var/lib/stylebot/db.sqlite',
        STYLEBOT_DATA_DIR: 'files',
        STYLEBOT_WEIGHTS: 'models/vgg19.h5',
        STYLEBOT_CACHE_DIR: '',
        STYLEBOT_PROVIDER: 'cpu',
        STYLEBOT_THREADS: '2',
        STYLEBOT_CONCURRENCY: '2',
        STYLEBOT_WORKER_ID: 'gpu-1',
        STYLEBOT_RETENTION_DAYS: '0.5',
        STYLEBOT_MAX_WAITING_PER_USER: '5',
        STYLEBOT_USER_HOURLY_SECONDS: '120',
        STYLEBOT_MAX_SIZE: '',
        LOG_LEVEL: 'debug',
      },
      '/srv/bot',
    );
    expect(config).toMatchObject({
      databasePath: '/var/lib/stylebot/db.sqlite',
      dataDir: path.resolve('/srv/bot/files'),
      weightsFile: path.resolve('/srv/bot/models/vgg19.h5'),
      cacheDir: undefined,
      provider: 'cpu',
      threads: 2,
      concurrency: 2,
      workerId: 'gpu-1',
      retentionMs: 12 * 3600 * 1000,
      limits: { ...DEFAULT_SERVER_LIMITS, maxConcurrent: 2, maxWaitingPerUser: 5, userHourlySeconds: 120 },
      logLevel: 'debug',
    });
  });

  it('reports every bad variable at once', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ STYLEBOT_CONCURRENCY: 'two', STYLEBOT_MAX_SIZE: '99999', STYLEBOT_PROVIDER: 'tpu', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.variable)).toEqual(['STYLEBOT_PROVIDER', 'STYLEBOT_CONCURRENCY', 'STYLEBOT_MAX_SIZE', 'LOG_LEVEL']);
    expect(error!.message).toContain('• STYLEBOT_MAX_SIZE: must be at most 4096 (got "99999")');
  });

  it('refuses a database other than a SQLite file', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://user:secret@db/stylebot' })).toThrow(/DATABASE_URL: DATABASE_URL "postgres:\/\/\*\*\*@db\/stylebot" is not a SQLite file URL/);
  });
});
