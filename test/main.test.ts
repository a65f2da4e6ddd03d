import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REAL_WEIGHTS, REPO_ROOT } from './helpers/paths.js';

const MAIN = path.join(REPO_ROOT, 'src/main.ts');
// `--import tsx` would be looked up from the child's working directory, a temporary one
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

interface LogLine {
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** `npm start` as a child process (tsx, no build) in a fresh directory; its JSON log lines are collected as they come. */
async function startBot(env: Record<string, string>) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stylebot-main-'));
  const child = spawn(process.execPath, ['--import', TSX, MAIN], { cwd: dir, env: { PATH: process.env.PATH!, HOME: dir, ...env } });
  const lines: LogLine[] = [];
  const waiters: Array<{ msg: string; resolve: (line: LogLine) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.msg === line.msg)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    /** the first log line with this message, past or future */
    logged(msg: string): Promise<LogLine> {
      const past = lines.find((l) => l.msg === msg);
      if (past) return Promise.resolve(past);
      return new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

describe('npm start (src/main.ts)', () => {
  it('starts storage, job service and the web page, then stops them in order on SIGTERM', async () => {
    const bot = await startBot({ LOG_LEVEL: 'info', STYLEBOT_WEIGHTS: REAL_WEIGHTS, WEB_PORT: '0' });
    const ready = await Promise.race([bot.logged('stylebot ready'), bot.exited.then((code) => ({ msg: `exited early with ${code}: ${bot.stderr()}` }))]);
    expect(ready).toMatchObject({ msg: 'stylebot ready', platforms: ['web'] });
    expect(existsSync(path.join(dir!, 'data/stylebot.db'))).toBe(true);
    const web = await bot.logged('web started');
    expect((await fetch(String(web.url))).status).toBeLessThan(500);
    await bot.logged('weights ready');

    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    const story = bot.lines.map((l) => l.msg).filter((m) => m !== 'weights ready' && !m.startsWith('incoming') && !m.startsWith('request'));
    const expected = ['storage ready', 'job service started', 'web started', 'stylebot ready', 'shutting down', 'web stopped', 'job service closed', 'engine workers closed', 'storage closed', 'stopped'];
    expect(story.filter((m) => expected.includes(m))).toEqual(expected);
    expect(bot.lines.find((l) => l.msg === 'shutting down')).toMatchObject({ signal: 'SIGTERM' });
  });

  it('refuses to start on a data directory it cannot write, naming it', async () => {
    // /sys takes no new folders, not even from root
    const bot = await startBot({ LOG_LEVEL: 'info', STYLEBOT_WEIGHTS: REAL_WEIGHTS, WEB_PORT: '0', STYLEBOT_DATA_DIR: '/sys/stylebot-data' });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr()).toContain('/sys/stylebot-data');
    expect(bot.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(bot.lines.map((l) => l.msg)).not.toContain('storage ready');
  });

  it('refuses an invalid environment with every bad variable named and exit code 2', async () => {
    const bot = await startBot({ STYLEBOT_CONCURRENCY: 'many', STYLEBOT_PROVIDER: 'tpu' });
    expect(await bot.exited).toBe(2);
    expect(bot.stderr()).toContain('STYLEBOT_CONCURRENCY');
    expect(bot.stderr()).toContain('STYLEBOT_PROVIDER');
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
  });
});
