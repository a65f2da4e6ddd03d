import { IMAGE_INPUT_MESSAGES } from '../../../images/index.js';
import type { AttachmentProblem } from '../attachment-errors.js';

const ACCEPTED = 'JPEG, PNG, WebP or GIF';

const size = (bytes: number) => (bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} KB` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`);

/** "The content picture", "The style picture", "Style picture 2": how a refusal names the attachment. */
export function pictureSubject(field: string, styleCount: number): string {
  if (field === 'content') return 'The content picture';
  const index = field === 'style' ? 1 : Number(field.replace(/^style/, ''));
  return styleCount <= 1 ? 'The style picture' : `Style picture ${index}`;
}

/** The sentence for a refused attachment: what is wrong with it and what to send instead. */
export function describeAttachmentProblem(details: AttachmentProblem, subject: string): string {
  switch (details.problem) {
    case 'tooLarge':
      return details.bytes === null
        ? `${subject} is over the ${size(details.maxBytes)} limit: send a smaller or more compressed picture.`
        : `${subject} is ${size(details.bytes)}, over the ${size(details.maxBytes)} limit: send a smaller or more compressed picture.`;
    case 'notAnImage':
      return `${subject} is ${details.declaredType === 'image/svg+xml' ? 'an SVG drawing' : `a file of type ${details.declaredType}`}, not a picture I can use: send a ${ACCEPTED} image.`;
    case 'foreignHost':
      return `${subject} is not stored on this platform's file servers (${details.host}), so I did not download it: attach the file itself.`;
    case 'timedOut':
      return `${subject} did not download within ${details.seconds} seconds: try again, or send a smaller file.`;
    case 'truncated':
      return `${subject} arrived incomplete (${size(details.received)} of ${size(details.declared)}): send it again.`;
    case 'unavailable':
      return details.status === 401 || details.status === 403
        ? `I am not allowed to download ${lower(subject)}: the bot may lack the permission to read files here (ask an admin), or the file is private.`
        : details.status === 404 || details.status === 410
          ? `${subject} is no longer available (deleted or expired): attach it again.`
          : `${subject} could not be downloaded${details.status ? ` (the file server answered ${details.status})` : ''}: try again in a moment.`;
    case 'image':
      return IMAGE_INPUT_MESSAGES[details.imageCode](subject, details.imageDetails);
  }
}

const lower = (subject: string) => subject.charAt(0).toLowerCase() + subject.slice(1);
