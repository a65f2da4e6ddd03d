import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ImageInputError } from '../images/index.js';
import { CliError } from './errors.js';

/** A file named on the command line, as the user wrote it and resolved. */
export interface NamedPath {
  readonly flag: string;
  readonly path: string;
}

/**
 * Reads an input picture named on the command line. Only a regular file is read (a FIFO would block and
 * /dev/zero never ends), and never more than `maxBytes`: the size is checked before the read and the read
 * itself stops there, in case the file grows meanwhile.
 */
export async function readInput(cwd: string, path: string, flag: string, subject: string, maxBytes: number): Promise<Uint8Array> {
  const full = resolve(cwd, path);
  try {
    checkRegular(await stat(full), flag, path);
    // non-blocking: a FIFO swapped in after the check must not hang the open
    const handle = await open(full, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      checkRegular(info, flag, path);
      if (info.size > maxBytes) throw new ImageInputError('TOO_LARGE_BYTES', { bytes: info.size, maxBytes }, subject);
      const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > maxBytes) throw new ImageInputError('TOO_LARGE_BYTES', { bytes: length, maxBytes }, subject);
        if (length === buffer.length) break;
      }
      return buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof CliError || error instanceof ImageInputError) throw error;
    throw new CliError(`Cannot read ${flag} ${path}: ${reason(error)}. Check the path.`);
  }
}

function checkRegular(info: Stats, flag: string, path: string): void {
  if (info.isDirectory()) throw new CliError(`${flag} ${path} is a directory: give the path of a picture file.`);
  if (!info.isFile()) throw new CliError(`${flag} ${path} is not a regular file (a pipe, a device or a socket): give the path of a picture file.`);
}

/**
 * An output reserved before any compute is spent: its temporary file already exists in the target
 * directory, which proves that the directory takes new files. `commit` writes the temporary file and
 * renames it over the real name, so an interrupted run never leaves a half-written result.
 */
export interface OutputFile {
  readonly flag: string;
  /** absolute path of the real name */
  readonly path: string;
  write(data: Uint8Array): Promise<void>;
  /** renames the written temporary file into place */
  commit(): Promise<void>;
  /** removes the temporary file, if it is still there */
  discard(): Promise<void>;
}

export interface OutputRequest extends NamedPath {
  readonly extension: '.png' | '.gif';
}

/**
 * Checks every output before the run: the extension (the content is always PNG or GIF, whatever the name
 * says), distinct names, none of them an input picture (that would overwrite it), a name the file system
 * takes, and a directory that really takes a new file. Reserves a temporary file for each; on a refusal
 * the ones already reserved are removed.
 */
export async function reserveOutputs(cwd: string, outputs: readonly OutputRequest[], inputs: readonly NamedPath[]): Promise<OutputFile[]> {
  for (const output of outputs) {
    if (extname(output.path).toLowerCase() !== output.extension) {
      const kind = output.extension.slice(1).toUpperCase();
      throw new CliError(`${output.flag} ${output.path}: this output is a ${kind} file, so its name must end in ${output.extension}.`);
    }
  }
  const full = outputs.map((o) => resolve(cwd, o.path));
  if (new Set(full).size !== full.length) throw new CliError(`${outputs.map((o) => o.flag).join(', ')} must name different files.`);

  const inputStats = await Promise.all(inputs.map((i) => stat(resolve(cwd, i.path)).catch(() => undefined)));
  const reserved: OutputFile[] = [];
  try {
    for (const [index, output] of outputs.entries()) {
      const path = full[index]!;
      const existing = await existingOutput(path, output);
      const clash = inputs.findIndex((input, i) => resolve(cwd, input.path) === path || (existing && sameFile(existing, inputStats[i])));
      if (clash >= 0) {
        throw new CliError(`${output.flag} ${output.path} is the ${inputs[clash]!.flag} picture: the result would overwrite it. Choose another name.`);
      }
      reserved.push(await reserve(path, output));
    }
    return reserved;
  } catch (error) {
    await Promise.all(reserved.map((r) => r.discard()));
    throw error;
  }
}

/** The output's current file, if any; refuses names the file system cannot take and things that are not files. */
async function existingOutput(path: string, output: OutputRequest): Promise<Stats | undefined> {
  let info: Stats;
  try {
    info = await lstat(path).then((link) => (link.isSymbolicLink() ? stat(path).catch(() => link) : link));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // a missing directory is reported by the reservation, which names the directory
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ENAMETOOLONG') {
      throw new CliError(`Cannot write ${output.flag} ${shorten(output.path)}: the name is too long for the file system (at most 255 bytes per name). Choose a shorter name.`);
    }
    throw new CliError(`Cannot write ${output.flag} ${shorten(output.path)}: ${reason(error, 'write')}.`);
  }
  if (info.isDirectory()) throw new CliError(`Cannot write ${output.flag} ${output.path}: it is a directory. Give a file name.`);
  if (!info.isFile()) throw new CliError(`Cannot write ${output.flag} ${output.path}: it is not a regular file (a pipe, a device or a socket). Give a file name.`);
  return info;
}

async function reserve(path: string, output: OutputRequest): Promise<OutputFile> {
  const dir = dirname(path);
  // short, so that a long but valid real name does not make the temporary one too long
  const temporary = join(dir, `.stylebot-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, new Uint8Array(0), { flag: 'wx' });
  } catch (error) {
    throw new CliError(`Cannot write ${output.flag} ${output.path}: the directory ${dir} ${reason(error, 'write')}. Create it or choose another path.`);
  }
  let pending = true;
  return {
    flag: output.flag,
    path,
    async write(data) {
      try {
        await writeFile(temporary, data);
      } catch (error) {
        throw new CliError(`Cannot write ${output.flag} ${path}: ${reason(error, 'write')}.`, 1);
      }
    },
    async commit() {
      try {
        await rename(temporary, path);
        pending = false;
      } catch (error) {
        throw new CliError(`Cannot write ${output.flag} ${path}: ${reason(error, 'write')}.`, 1);
      }
    },
    async discard() {
      if (!pending) return;
      pending = false;
      await rm(temporary, { force: true });
    },
  };
}

const sameFile = (a: Stats, b: Stats | undefined) => b !== undefined && a.dev === b.dev && a.ino === b.ino;

/** A 300-character name in a message helps nobody: its start and end say which it is. */
function shorten(path: string): string {
  const name = basename(path);
  return name.length <= 60 ? path : `${join(dirname(path), `${name.slice(0, 24)}…${name.slice(-24)}`)}`;
}

function reason(error: unknown, verb = 'read'): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return verb === 'write' ? 'does not exist' : 'no such file';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return verb === 'write' ? 'is not writable' : 'permission denied';
  if (code === 'ENOTDIR') return verb === 'write' ? 'is not a directory' : 'a part of the path is not a directory';
  if (code === 'ENAMETOOLONG') return 'the path is too long';
  return error instanceof Error ? error.message : String(error);
}
