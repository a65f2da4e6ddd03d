import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/index.js';

/** A fresh temporary folder per test, removed afterwards. */
export function tempDir(prefix = 'stylebot-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function openTestStore(dir: string, file = 'stylebot.db'): Promise<Store> {
  return openStore({ databasePath: path.join(dir, file) });
}
