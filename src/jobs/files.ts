import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dataDirError, STORE_PAGE_SIZE, type JobInputRecord } from '../store/index.js';

export interface StoredFile {
  readonly hash: string;
  /** relative to the data directory, with forward slashes */
  readonly path: string;
  readonly bytes: number;
  /** false when the same picture was stored already (another job may use it) */
  readonly created: boolean;
}

export interface ResultFiles {
  readonly resultPath: string;
  readonly gifPath: string;
  readonly plotPath: string;
}

/**
 * The job files under the data directory: inputs by content hash (`inputs/ab/abcd…`, so a picture sent
 * twice is stored once) and results per job (`results/<job>/result.png`, `progress.gif`, `losses.png`).
 * Every write goes to a temporary name first and is renamed into place, so a crash never leaves a
 * half-written file under a real name. Failed writes reject with StoreError DATA_DIR_UNWRITABLE.
 */
export class JobFiles {
  constructor(readonly dataDir: string) {}

  async putInput(bytes: Uint8Array): Promise<StoredFile> {
    const hash = createHash('sha256').update(bytes).digest('hex');
    const relative = `inputs/${hash.slice(0, 2)}/${hash}`;
    const file = this.resolve(relative);
    const existing = await stat(file).catch(() => null);
    const created = existing?.size !== bytes.length;
    if (created) await this.writeAtomic(file, bytes);
    return { hash, path: relative, bytes: bytes.length, created };
  }

  /**
   * Stores a job's new pictures after the ones it reuses, all or none: a failure removes the files this
   * call created (not those that were there already: another job may use them). Returns the job's input
   * rows and the files it created, which the caller removes if it then fails to record the job.
   */
  async putInputs(
    pictures: ReadonlyArray<{ bytes: Uint8Array; role: JobInputRecord['role'] }>,
    reused: readonly JobInputRecord[],
  ): Promise<{ inputs: JobInputRecord[]; created: string[] }> {
    const created: string[] = [];
    const inputs: JobInputRecord[] = reused.map((input, position) => ({ ...input, position }));
    try {
      for (const picture of pictures) {
        const file = await this.putInput(picture.bytes);
        if (file.created) created.push(file.path);
        inputs.push({ position: inputs.length, role: picture.role, hash: file.hash, path: file.path, bytes: file.bytes });
      }
    } catch (error) {
      await Promise.all(created.map((file) => this.removeInput(file).catch(() => undefined)));
      throw error;
    }
    return { inputs, created };
  }

  /** Deletes one stored input, e.g. those a failed submission had just written. */
  async removeInput(relative: string): Promise<void> {
    await this.guard(rm(this.resolve(relative), { force: true }));
  }

  async read(relative: string): Promise<Buffer> {
    return readFile(this.resolve(relative));
  }

  async writeResults(jobId: string, files: { png: Uint8Array; gif: Uint8Array; plot: Uint8Array }): Promise<ResultFiles> {
    const dir = `results/${jobId}`;
    const paths = { resultPath: `${dir}/result.png`, gifPath: `${dir}/progress.gif`, plotPath: `${dir}/losses.png` };
    await this.writeAtomic(this.resolve(paths.resultPath), files.png);
    await this.writeAtomic(this.resolve(paths.gifPath), files.gif);
    await this.writeAtomic(this.resolve(paths.plotPath), files.plot);
    return paths;
  }

  async removeResults(jobId: string): Promise<void> {
    await this.guard(rm(this.resolve(`results/${jobId}`), { recursive: true, force: true }));
  }

  /**
   * Deletes stored inputs that no job needs, asking `inUse` about at most STORE_PAGE_SIZE names at a time
   * (so that neither memory nor a query grows with the number of files); returns how many went.
   */
  async removeUnusedInputs(inUse: (hashes: readonly string[]) => Promise<ReadonlySet<string>>): Promise<number> {
    const root = this.resolve('inputs');
    const buckets = await readdir(root).catch(() => [] as string[]);
    let removed = 0;
    for (const bucket of buckets) {
      const names = await readdir(path.join(root, bucket)).catch(() => [] as string[]);
      for (let i = 0; i < names.length; i += STORE_PAGE_SIZE) {
        const page = names.slice(i, i + STORE_PAGE_SIZE);
        // temporary files of an interrupted write have a suffix: never a hash in use, so they go too
        const keep = await inUse(page);
        for (const name of page) {
          if (keep.has(name)) continue;
          await this.guard(rm(path.join(root, bucket, name), { force: true }));
          removed++;
        }
      }
    }
    return removed;
  }

  private resolve(relative: string): string {
    return path.join(this.dataDir, ...relative.split('/'));
  }

  private async writeAtomic(file: string, bytes: Uint8Array): Promise<void> {
    await this.guard(
      (async () => {
        await mkdir(path.dirname(file), { recursive: true });
        const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(temporary, bytes);
        await rename(temporary, file);
      })(),
    );
  }

  private async guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (error) {
      throw dataDirError(error, this.dataDir);
    }
  }
}
