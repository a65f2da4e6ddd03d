import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(REPO_ROOT, 'src/main.ts');
let dir: string;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stylebot-main-'));
  return run(TSX, [MAIN], { cwd: dir, env: { PATH: process.env.PATH!, HOME: dir, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe('npm start (src/main.ts)', () => {
  it('creates and migrates the database, then explains how to run the command line', async () => {
    const result = await start({ LOG_LEVEL: 'silent' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('npm run stylebot -- stylize');
    expect(existsSync(path.join(dir, 'data/stylebot.db'))).toBe(true);
  });

  it('refuses an invalid environment with every bad variable named and exit code 2', async () => {
    const result = await start({ STYLEBOT_CONCURRENCY: 'many', STYLEBOT_PROVIDER: 'tpu' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('STYLEBOT_CONCURRENCY');
    expect(result.stderr).toContain('STYLEBOT_PROVIDER');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
