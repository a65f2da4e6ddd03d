import type { ImageHeader } from '../../../images/index.js';
import { isAttachmentRefused } from '../attachment-errors.js';
import { checkPictureHeader, fetchAttachment } from '../attachments.js';
import type { Attachment } from '../contract.js';
import { describeAttachmentProblem } from '../messages/index.js';
import type { HandlerDeps } from './context.js';

export type PictureDownload = { readonly bytes: Uint8Array; readonly header: ImageHeader } | { readonly problem: string };

/**
 * One attached picture, fetched within the core's byte and time limits and checked (header and trial decode);
 * a refusal comes back as the sentence for `subject` ("The content picture", "Style picture 2") instead of
 * an error, so a handler can report every input's problem at once.
 */
export async function downloadPicture(attachment: Attachment, subject: string, deps: HandlerDeps): Promise<PictureDownload> {
  try {
    const bytes = await fetchAttachment(attachment, { maxBytes: deps.attachments.maxBytes, timeoutMs: deps.attachments.timeoutMs, timers: deps.timers });
    const header = await checkPictureHeader(bytes, { maxBytes: deps.attachments.maxBytes, ...deps.attachments.decode });
    return { bytes, header };
  } catch (error) {
    if (isAttachmentRefused(error)) return { problem: describeAttachmentProblem(error.details, subject) };
    throw error;
  }
}
