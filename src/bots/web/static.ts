import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  readonly bytes: Buffer;
  readonly contentType: string;
}

const PAGE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'login.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/**
 * The page's files, read once at start: a fixed list (no path from a request ever reaches the file system).
 * They sit beside the sources in `public/`; the compiled server in dist/ reads them from src/, since the
 * page has no build step of its own.
 */
export function loadPageFiles(): ReadonlyMap<string, StaticFile> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'public'), path.resolve(here, '../../../src/bots/web/public')];
  const dir = candidates.find((candidate) => existsSync(path.join(candidate, 'index.html')));
  if (dir === undefined) throw new Error(`the web page's files are missing (looked in ${candidates.join(', ')})`);
  return new Map(Object.entries(PAGE_FILES).map(([name, contentType]) => [name, { bytes: readFileSync(path.join(dir, name)), contentType }]));
}
