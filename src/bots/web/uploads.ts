import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { Attachment } from '../shared/contract.js';

/** How much one submission may carry. The byte cap is the bots' own; the counts only stop abuse. */
export interface UploadLimits {
  /** per picture; a bigger one is cut at this size plus one byte, so the core refuses it by its size */
  readonly maxFileBytes: number;
  /** file parts per request: a content and 8 styles, plus one so that the core (not the parser) refuses a ninth style */
  readonly maxFiles: number;
  readonly maxFields: number;
  readonly maxFieldBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: Omit<UploadLimits, 'maxFileBytes'> = { maxFiles: 10, maxFields: 48, maxFieldBytes: 8 * 1024 };

/** A picture received in full (or cut at the cap) onto disk, waiting for the core to read it. */
export interface SpooledFile {
  readonly field: string;
  readonly name: string;
  readonly type: string | null;
  /** bytes kept; maxFileBytes + 1 when the picture was larger */
  readonly bytes: number;
  readonly path: string;
}

export interface Submission {
  /** text fields in arrival order; a repeated name keeps its last value */
  readonly fields: ReadonlyMap<string, string>;
  readonly files: readonly SpooledFile[];
  /** removes the spooled files; call when the core has answered */
  dispose(): Promise<void>;
}

/**
 * Streams a multipart request onto disk in a private temporary folder, each file cut at the byte cap while
 * it arrives: memory use stays at a few chunks whatever the client sends, and nothing is kept when the
 * client stops halfway (the request's time limit ends a trickle).
 */
export async function receiveSubmission(request: FastifyRequest, limits: UploadLimits): Promise<Submission> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stylebot-web-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const fields = new Map<string, string>();
  const files: SpooledFile[] = [];
  try {
    const parts = request.parts({
      limits: {
        fileSize: limits.maxFileBytes + 1,
        files: limits.maxFiles,
        fields: limits.maxFields,
        fieldSize: limits.maxFieldBytes,
        fieldNameSize: 64,
        parts: limits.maxFiles + limits.maxFields,
        headerPairs: 16,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields.set(part.fieldname, part.value);
        continue;
      }
      const target = path.join(dir, `${files.length}`);
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(part.file, count, createWriteStream(target));
      // an empty file input of a browser form: no picture chosen
      if (part.filename === '' && bytes === 0) continue;
      files.push({ field: part.fieldname, name: part.filename || part.fieldname, type: part.mimetype || null, bytes, path: target });
    }
    return { fields, files, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** A spooled picture as the core's Attachment: its size is known exactly, and reading it is local. */
export function attachmentOf(file: SpooledFile): Attachment {
  return {
    name: file.name,
    declaredBytes: file.bytes,
    declaredType: file.type,
    async open(signal: AbortSignal) {
      signal.throwIfAborted();
      return createReadStream(file.path, { signal });
    },
  };
}
