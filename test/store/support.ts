import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';

/** A fresh temporary folder per test, removed afterwards. */
export function tempDir(prefix = 'stylebot-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh temporary folder for each test of the calling suite, removed after it: read `.dir` inside a test. */
export function tempDirPerTest(prefix?: string): { readonly dir: string } {
  let current: ReturnType<typeof tempDir> | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(() => current?.cleanup());
  return {
    get dir() {
      if (!current) throw new Error('tempDirPerTest: read .dir inside a test');
      return current.dir;
    },
  };
}

export async function openTestStore(dir: string, file = 'stylebot.db'): Promise<Store> {
  return openStore({ databasePath: path.join(dir, file) });
}
