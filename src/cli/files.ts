import { access, constants, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ImageInputError } from '../images/index.js';
import { CliError } from './errors.js';

/**
 * Reads an input picture named on the command line. The byte limit is checked from the file's size, so
 * a huge file is refused before it is read into memory.
 */
export async function readInput(cwd: string, path: string, flag: string, subject: string, maxBytes: number): Promise<Uint8Array> {
  const full = resolve(cwd, path);
  try {
    const info = await stat(full);
    if (info.isDirectory()) throw new CliError(`${flag} ${path} is a directory: give the path of a picture file.`);
    if (info.size > maxBytes) throw new ImageInputError('TOO_LARGE_BYTES', { bytes: info.size, maxBytes }, subject);
    return await readFile(full);
  } catch (error) {
    if (error instanceof CliError || error instanceof ImageInputError) throw error;
    throw new CliError(`Cannot read ${flag} ${path}: ${reason(error)}. Check the path.`);
  }
}

/**
 * Checks before any compute is spent that an output can be written: the right extension (the content
 * is always PNG or GIF, whatever the name says) and an existing, writable directory.
 */
export async function checkOutput(cwd: string, path: string, flag: string, extension: '.png' | '.gif'): Promise<string> {
  if (extname(path).toLowerCase() !== extension) {
    throw new CliError(`${flag} ${path}: this output is a ${extension.slice(1).toUpperCase()} file, so its name must end in ${extension}.`);
  }
  const full = resolve(cwd, path);
  const dir = dirname(full);
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new CliError(`Cannot write ${flag} ${path}: the directory ${dir} ${reason(error, 'write')}. Create it or choose another path.`);
  }
  if ((await stat(full).catch(() => undefined))?.isDirectory()) {
    throw new CliError(`Cannot write ${flag} ${path}: it is a directory. Give a file name.`);
  }
  return full;
}

export async function writeOutput(full: string, data: Uint8Array, flag: string): Promise<void> {
  try {
    await writeFile(full, data);
  } catch (error) {
    throw new CliError(`Cannot write ${flag} ${full}: ${reason(error)}.`, 1);
  }
}

function reason(error: unknown, verb = 'read'): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return verb === 'write' ? 'does not exist' : 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return verb === 'write' ? 'is not writable' : 'permission denied';
  if (code === 'ENOTDIR') return verb === 'write' ? 'is not a directory' : 'a part of the path is not a directory';
  return error instanceof Error ? error.message : String(error);
}
