import type { ImageInputDetails, ImageInputErrorCode } from '../../images/index.js';

/** Why an attachment was refused before it became a job's picture. Each has its own sentence (messages/attachments.ts). */
export type AttachmentProblem =
  | { readonly problem: 'tooLarge'; readonly bytes: number | null; readonly maxBytes: number }
  | { readonly problem: 'notAnImage'; readonly declaredType: string }
  | { readonly problem: 'foreignHost'; readonly host: string }
  | { readonly problem: 'timedOut'; readonly seconds: number }
  | { readonly problem: 'truncated'; readonly received: number; readonly declared: number }
  /** the platform refused the download: an expired file, a missing scope (status 401/403/404/410) */
  | { readonly problem: 'unavailable'; readonly status: number | null }
  /** the header check: pixel bombs, text named .jpg, unsupported formats, empty or cut-off files */
  | { readonly problem: 'image'; readonly imageCode: ImageInputErrorCode; readonly imageDetails: ImageInputDetails };

/** Thrown by `fetchAttachment`, `httpAttachment`'s `open` and the header check; never reaches the user as is. */
export class AttachmentRefused extends Error {
  override readonly name = 'AttachmentRefused';
  constructor(
    readonly details: AttachmentProblem,
    options?: { cause?: unknown },
  ) {
    super(`attachment refused: ${JSON.stringify(details)}`, options);
  }
}

export function isAttachmentRefused(error: unknown): error is AttachmentRefused {
  return error instanceof AttachmentRefused;
}
