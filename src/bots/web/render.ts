import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ActionButton, ImageRef, MessageField, MessageParts, Reply } from '../shared/contract.js';

/** A picture the page loads by URL rather than inside the JSON. */
export interface PageImage {
  readonly role: ImageRef['role'];
  readonly url: string;
  readonly name: string;
  readonly alt: string;
  readonly contentType: ImageRef['contentType'];
}

/** MessageParts as the page receives it: the same data, pictures replaced by URLs. */
export interface PageMessage {
  readonly tone: MessageParts['tone'];
  readonly title: string;
  readonly body?: string;
  readonly fields?: readonly MessageField[];
  readonly images: readonly PageImage[];
  readonly actions?: readonly ActionButton[];
  readonly footer?: string;
}

export interface PageReply {
  readonly visibility: Reply['visibility'];
  readonly message: PageMessage;
  readonly fieldErrors?: Readonly<Record<string, string>>;
  readonly jobId?: string;
  readonly choices?: Reply['choices'];
}

interface StoredFile {
  readonly bytes: Uint8Array;
  readonly contentType: string;
}

/**
 * Pictures of messages, kept in memory by recency with a byte budget: previews replace each other quickly,
 * and a result the page no longer holds stays retrievable through the job card, which re-reads it from the
 * job's files.
 */
export class FileShelf {
  private readonly files: LRUCache<string, StoredFile>;

  constructor(maxBytes: number) {
    this.files = new LRUCache<string, StoredFile>({ maxSize: maxBytes, sizeCalculation: (file) => Math.max(1, file.bytes.byteLength) });
  }

  put(image: ImageRef | { readonly name: string; readonly contentType: string; readonly bytes: Uint8Array }): string {
    const id = randomUUID();
    this.files.set(id, { bytes: image.bytes, contentType: image.contentType });
    return `/files/${id}/${encodeURIComponent(image.name)}`;
  }

  get(id: string): StoredFile | undefined {
    return this.files.get(id);
  }
}

export function renderMessage(parts: MessageParts, shelf: FileShelf, extra: readonly ImageRef[] = []): PageMessage {
  const images = [...(parts.images ?? []), ...extra].map((image) => ({
    role: image.role,
    url: shelf.put(image),
    name: image.name,
    alt: image.alt,
    contentType: image.contentType,
  }));
  return {
    tone: parts.tone,
    title: parts.title,
    ...(parts.body !== undefined ? { body: parts.body } : {}),
    ...(parts.fields ? { fields: parts.fields } : {}),
    images,
    ...(parts.actions ? { actions: parts.actions } : {}),
    ...(parts.footer !== undefined ? { footer: parts.footer } : {}),
  };
}

export function renderReply(reply: Reply, shelf: FileShelf): PageReply {
  return {
    visibility: reply.visibility,
    message: renderMessage(reply.message, shelf),
    ...(reply.fieldErrors ? { fieldErrors: reply.fieldErrors } : {}),
    ...(reply.jobId !== undefined ? { jobId: reply.jobId } : {}),
    ...(reply.choices ? { choices: reply.choices } : {}),
  };
}
